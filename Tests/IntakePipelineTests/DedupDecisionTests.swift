import Foundation
import Testing
@testable import IntakePipeline

@Suite struct DedupDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_717_000_000)
    static let day: TimeInterval = 86400
    static let text = "我公司今年引进了8名硕士研究生和2名博士，按照人才新政可以申请落户和安家补贴，提交申请后已超过3个月没有结果，人社窗口说需要等待区里统一审核。请协调加快人才落户审核。"
    static let keys = ["name:某某科技", "phone:+8613800001234"]

    /// A signature with exactly `equalSlots` of 128 slots equal to `base`.
    static func signature(like base: MinHashSignature, equalSlots: Int) -> MinHashSignature {
        var values = base.values
        for slot in equalSlots..<MinHashSignature.slotCount { values[slot] = values[slot] &+ 1 }
        return MinHashSignature(values: values)
    }

    static func decide(_ candidates: [DedupCandidate], keys: [String] = keys, category: String? = "talent") -> DedupDecision {
        DedupDecision.decide(signature: MinHashSignature(text: text), identityKeys: keys, categoryCode: category, receivedAt: now, candidates: candidates)
    }

    static func candidate(_ id: String, equalSlots: Int = 128, keys: [String] = keys, category: String? = "talent", daysAgo: Double = 2) -> DedupCandidate {
        DedupCandidate(id: id, signature: signature(like: MinHashSignature(text: text), equalSlots: equalSlots),
                       identityKeys: keys, categoryCode: category, receivedAt: now.addingTimeInterval(-daysAgo * day))
    }

    @Test func sameEnterpriseLightEditIsADuplicate() {
        let edited = Self.text.replacingOccurrences(of: "3个月", with: "三个月")
        let stored = DedupCandidate(id: "A", signature: MinHashSignature(text: "您好！" + edited), identityKeys: ["phone:+8613800001234"], categoryCode: "talent", receivedAt: Self.now - Self.day)
        let decision = Self.decide([stored])
        guard case .duplicate(of: "A", let similarity) = decision.outcome else { Issue.record("\(decision.outcome)"); return }
        #expect(similarity >= 0.8)
        #expect(decision.considered.first?.sharedKeys == ["phone:+8613800001234"])
    }

    @Test func betweenThresholdsIsPossible() {
        #expect(Self.decide([Self.candidate("A", equalSlots: 80)]).outcome == .possible(of: "A", similarity: 80.0 / 128))
    }

    @Test func belowLowThresholdIsNew() {
        let decision = Self.decide([Self.candidate("A", equalSlots: 50)])
        #expect(decision.outcome == .new)
        #expect(decision.considered.first?.verdict == .belowThreshold)
    }

    @Test func differentCategoryNeedsNearIdentical() {
        let close = Self.decide([Self.candidate("A", equalSlots: 115, category: "policy")])  // 0.898
        #expect(close.outcome == .possible(of: "A", similarity: 115.0 / 128))
        let identical = Self.decide([Self.candidate("A", equalSlots: 123, category: "policy")])  // 0.961
        #expect(identical.outcome == .duplicate(of: "A", similarity: 123.0 / 128))
        let middling = Self.decide([Self.candidate("A", equalSlots: 80, category: "policy")])
        #expect(middling.outcome == .new)
        #expect(middling.considered.first?.verdict == .otherCategory)
    }

    @Test func outsideTheWindowIsNotConsidered() {
        let decision = Self.decide([Self.candidate("A", daysAgo: 31)])
        #expect(decision.outcome == .new)
        #expect(decision.considered.first?.verdict == .outsideWindow)
        #expect(Self.decide([Self.candidate("A", daysAgo: 29.9)]).outcome == .duplicate(of: "A", similarity: 1))
    }

    @Test func textOnlyUsesTheStricterThreshold() {
        // 0.867: a duplicate within one enterprise, only possible when either side has no identity.
        #expect(Self.decide([Self.candidate("A", equalSlots: 111)]).outcome == .duplicate(of: "A", similarity: 111.0 / 128))
        #expect(Self.decide([Self.candidate("A", equalSlots: 111, keys: [])]).outcome == .possible(of: "A", similarity: 111.0 / 128))
        #expect(Self.decide([Self.candidate("A", equalSlots: 111)], keys: []).outcome == .possible(of: "A", similarity: 111.0 / 128))
        #expect(Self.decide([Self.candidate("A", equalSlots: 120, keys: [])]).outcome == .duplicate(of: "A", similarity: 120.0 / 128))
        #expect(Self.decide([Self.candidate("A", equalSlots: 90, keys: [])]).outcome == .new)
    }

    @Test func sameTextFromAnotherEnterpriseIsNew() {
        let decision = Self.decide([Self.candidate("A", keys: ["name:另一家"])])
        #expect(decision.outcome == .new)
        #expect(decision.considered.first?.verdict == .differentEnterprise)
        let conflicting = Self.decide([Self.candidate("B", keys: ["uscc:X2", "phone:+8613800001234"])], keys: ["uscc:X1", "phone:+8613800001234"])
        #expect(conflicting.outcome == .new)
    }

    @Test func bestCandidateWinsAndEveryCandidateIsExplained() {
        let decision = Self.decide([
            Self.candidate("possible", equalSlots: 90), Self.candidate("later", equalSlots: 120, daysAgo: 1),
            Self.candidate("earlier", equalSlots: 120, daysAgo: 5), Self.candidate("old", daysAgo: 40),
        ])
        #expect(decision.outcome == .duplicate(of: "earlier", similarity: 120.0 / 128))
        #expect(decision.considered.map(\.verdict) == [.possible, .duplicate, .duplicate, .outsideWindow])
        #expect(decision.considered.allSatisfy { !$0.reason.isEmpty })
    }

    @Test func evaluationCountsPrecisionAndRecall() {
        let pairs = [
            DedupPair(a: Self.text, b: Self.text, duplicate: true, kind: "resend"),
            DedupPair(a: Self.text, b: "公司周边有一家企业夜间排放刺鼻气味，我们的员工多次反映头晕恶心。", duplicate: false, kind: "unrelated"),
        ]
        let result = DedupEvaluation.run(pairs: pairs)
        #expect(result.precision == 1 && result.recall == 1)
        #expect(result.byKind["resend"]?.correct == 1)
    }

    @Test func evaluationSetMeetsTargets() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../bench/dedup_pairs.jsonl").standardized
        guard let data = try? Data(contentsOf: url) else { Issue.record("missing \(url.path)"); return }
        let result = DedupEvaluation.run(pairs: try DedupPair.parseLines(data))
        #expect(result.precision >= 0.97)
        for kind in ["resend", "light_edit"] { #expect((result.byKind[kind]?.rate ?? 0) >= 0.9, "\(kind)") }
    }
}
