import Foundation
import Testing
@testable import IntakePipeline

/// Template-like demands that differ in one crucial fact are two demands; a re-send with
/// words added is one.
@Suite struct CrucialFactsTests {
    static let template = "我司位于滨海新区的{}厂房用地规划许可申请已经提交两个月，至今没有审批结果，请问目前办理进度如何，是否还需要补充其他材料？"

    func filled(_ value: String) -> String { Self.template.replacingOccurrences(of: "{}", with: value) }

    @Test(arguments: [
        ("3号地块", "5号地块"), ("2025年度", "2026年度"), ("50万元", "500万元"), ("5号楼", "15号楼"),
        ("三号楼", "五号楼"), ("十二号楼", "九号楼"), ("施工许可证", "排污许可证"), ("员工张伟", "员工李娜"),
        ("张经理", "李经理"), ("上半年", "下半年"), ("3月5日", "4月5日"),
    ])
    func oneChangedFactIsAConflict(first: String, second: String) {
        let conflict = CrucialFacts.conflict(filled(first), filled(second))
        #expect(conflict != nil, "\(first) / \(second)")
    }

    @Test(arguments: [
        ("这是第二次提交，望尽快处理！", ""), ("", "已经反映过一次了，请尽快回复。"), ("您好！", "谢谢，联系电话13812345678"),
    ])
    func wordsAddedAreNoConflict(before: String, after: String) {
        let original = filled("3号地块")
        #expect(CrucialFacts.conflict(original, before + original + after) == nil)
    }

    @Test func theSameNumberWrittenDifferentlyIsNoConflict() {
        #expect(CrucialFacts.conflict(filled("3号地块"), filled("三号地块")) == nil)
        #expect(CrucialFacts.conflict(filled("12号楼"), filled("十二号楼")) == nil)
        #expect(CrucialFacts.conflict(filled("3号地块"), filled("3号地块").replacingOccurrences(of: "，", with: " ")) == nil)
    }

    @Test func aConflictSaysWhatDiffers() {
        let conflict = CrucialFacts.conflict(filled("3号地块"), filled("5号地块"))
        #expect(conflict?.contains("3号") == true && conflict?.contains("5号") == true, "\(conflict ?? "")")
    }

    /// In the decision: a duplicate by similarity that changes a fact is only possible; a
    /// possible one whose text contains the other's (a reminder added) is a duplicate.
    @Test func theDecisionComparesTheTextsOfItsClosestCandidates() {
        let now = Date()
        let keys = ["name:某某科技"]
        func decide(_ ours: String, _ theirs: String) -> DedupDecision {
            let candidate = DedupCandidate(id: "A", signature: MinHashSignature(text: theirs), identityKeys: keys, categoryCode: "land", receivedAt: now)
            let probe = DedupProbe(signature: MinHashSignature(text: ours), identityKeys: keys, categoryCode: "land", at: now, policy: DedupPolicy(), text: ours)
            return probe.decide([candidate]) { $0 == "A" ? theirs : nil }
        }
        let plot = decide(filled("3号地块"), filled("5号地块"))
        guard case .possible(of: "A", _) = plot.outcome else { Issue.record("\(plot.outcome)"); return }
        #expect(plot.considered.first?.reason.contains("crucial fact") == true)
        let reminder = "这个问题上个月已经在热线反映过一次，到现在还没有任何回复，这是第二次提交，请相关部门重视并尽快答复。"
        let resent = decide(reminder + filled("3号地块"), filled("3号地块"))
        guard case .duplicate(of: "A", _) = resent.outcome else { Issue.record("\(resent.outcome) \(resent.considered)"); return }
        #expect(resent.considered.first?.reason.contains("contains") == true)
    }
}
