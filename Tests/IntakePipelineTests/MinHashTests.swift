import Foundation
import Testing
@testable import IntakePipeline

@Suite struct MinHashTests {
    static let demand = "我公司于3月5日通过政务服务网提交了排污许可证变更申请，材料包括环评批复和监测报告共6份，系统显示已受理但一直处于审核中，新生产线因此无法投入试运行，每天损失约10万元。请帮助查询审批进度并加快办理。"

    @Test func identicalTextsAreSimilarityOne() {
        #expect(MinHashSignature(text: Self.demand).estimatedSimilarity(MinHashSignature(text: Self.demand)) == 1.0)
    }

    @Test func lightEditStaysAtLeastPointEight() {
        let edited = Self.demand.replacingOccurrences(of: "每天损失约10万元", with: "每天损失大约10万元")
            .replacingOccurrences(of: "，", with: ",")
        let similarity = MinHashSignature(text: Self.demand).estimatedSimilarity(MinHashSignature(text: edited))
        #expect(similarity >= 0.8)
        #expect(MinHashSignature.exactJaccard(Self.demand, edited) >= 0.8)
    }

    @Test func unrelatedTextsAreBelowPointThree() {
        let other = "公司所在的津塘公路路段近一个月频繁停电，最长一次停电持续5个小时，生产线突然断电导致一批产品报废，请协调供电部门尽快改造线路。"
        #expect(MinHashSignature(text: Self.demand).estimatedSimilarity(MinHashSignature(text: other)) < 0.3)
    }

    @Test func greetingsAndPunctuationDoNotMatter() {
        let polite = "尊敬的领导：您好！\n" + Self.demand + "请尽快处理，谢谢！此致敬礼"
        #expect(DedupText.normalize(polite) == DedupText.normalize(Self.demand))
        #expect(MinHashSignature(text: polite) == MinHashSignature(text: Self.demand))
    }

    @Test func contactDetailsAreIdentityNotText() {
        let signed = Self.demand + "\n联系人：张先生 联系电话：138-1234-5678 座机 022-6629 0000 邮箱 Zhang.San@example.cn"
        #expect(DedupText.normalize(signed) == DedupText.normalize(Self.demand + "联系人张先生座机"))
        #expect(DedupText.normalize("办公电话66290000") == "办公电话", "a local number after 电话")
        #expect(DedupText.normalize("补贴1000000元，2026年") == "补贴1000000元2026年", "amounts and years stay")
        #expect(DedupText.normalize("写信到a.b-c@mail.example.cn说明情况") == "写信到说明情况")
    }

    @Test func normalisationFoldsWidthAndCase() {
        #expect(DedupText.normalize("ＡＢＣ公司，Ｔｅｌ：１２３") == "abc公司tel123")
    }

    @Test func signatureRoundTripsThroughData() throws {
        let signature = MinHashSignature(text: Self.demand)
        let data = signature.data
        #expect(data.count == 257)
        #expect(try MinHashSignature(data: data) == signature)
        // A signature stored before 2026-12-03 (32-bit slots) reads as its top 16 bits.
        var version1 = Data([1])
        for value in signature.values {
            withUnsafeBytes(of: (value << 16 | 0xABCD).littleEndian) { version1.append(contentsOf: $0) }
        }
        #expect(try MinHashSignature(data: version1) == signature)
        #expect(throws: MinHashSignature.DecodingError.self) { try MinHashSignature(data: data.dropLast()) }
    }

    @Test func bandKeysAreEqualForEqualSignatures() {
        let first = MinHashSignature(text: Self.demand).bands()
        let second = MinHashSignature(text: "您好，" + Self.demand).bands()
        #expect(first == second)
        #expect(first.count == 21)
        #expect(MinHashSignature(text: Self.demand).bands(rows: 4).count == 32)
    }

    @Test func lightEditSharesABand() {
        let edited = Self.demand.replacingOccurrences(of: "6份", with: "7份")
        let first = MinHashSignature(text: Self.demand).bands(), second = MinHashSignature(text: edited).bands()
        #expect(zip(first, second).contains { $0 == $1 })
    }

    @Test func emptyTextIsNeverSimilar() {
        let empty = MinHashSignature(text: "您好！谢谢。")
        #expect(empty.isEmpty)
        #expect(empty.estimatedSimilarity(empty) == 0)
    }

    @Test func signaturesAreStableAcrossRuns() {
        // Stored signatures must keep matching after an upgrade: the seeds are fixed.
        #expect(MinHashSignature(text: "排污许可证").values.prefix(2) == MinHashSignature(text: "排污许可证").values.prefix(2))
        #expect(MinHashSignature(text: "ab").isEmpty == false)
    }
}
