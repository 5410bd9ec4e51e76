import Foundation
import Testing
@testable import IntakePipeline

@Suite struct DedupIndexTests {
    static let now = Date(timeIntervalSince1970: 1_780_000_000)
    static let day: TimeInterval = 86400
    static let text = "我司位于泰达街道的厂房扩建事项已提交两个月，至今没有答复，请问目前进度如何？"

    @Test func aCaseSharingBandsOrAKeyIsFoundAndAnUnrelatedOneIsNot() {
        let index = DedupIndex()
        let signature = MinHashSignature(text: Self.text)
        index.insert(seq: index.nextSeq(), bands: signature.bands(), keys: ["uscc:A"], at: Self.now, receivedAt: Self.now)
        let other = MinHashSignature(text: "公司所在路段近一个月频繁停电，生产线突然断电导致一批产品报废，请协调供电部门尽快改造线路。")
        index.insert(seq: index.nextSeq(), bands: other.bands(), keys: ["uscc:B"], at: Self.now, receivedAt: Self.now)

        let edited = MinHashSignature(text: "您好，" + Self.text + "谢谢")
        let byBands = index.lookup(bands: edited.bands(), keys: [], at: Self.now, window: 30 * Self.day, seqs: 0...Int64.max)
        #expect(byBands.map(\.seq) == [1])
        #expect(byBands.first?.sharedBands == 21)
        let byKey = index.lookup(bands: [], keys: ["uscc:B"], at: Self.now, window: 30 * Self.day, seqs: 0...Int64.max)
        #expect(byKey.map(\.seq) == [2])
        #expect(byKey.first?.sharesKey == true)
        #expect(index.lookup(bands: [], keys: ["uscc:C"], at: Self.now, window: 30 * Self.day, seqs: 0...Int64.max).isEmpty)
    }

    @Test func aLookupSeesOnlyItsSequenceRangeAndWindow() {
        let index = DedupIndex()
        let bands = MinHashSignature(text: Self.text).bands()
        index.insert(seq: index.nextSeq(), bands: bands, keys: ["phone:1"], at: Self.now - 40 * Self.day, receivedAt: Self.now)
        index.insert(seq: index.nextSeq(), bands: bands, keys: ["phone:1"], at: Self.now, receivedAt: Self.now)
        index.markCommitted()
        index.insert(seq: index.nextSeq(), bands: bands, keys: ["phone:1"], at: Self.now, receivedAt: Self.now)
        #expect(index.committedSeq == 2)
        let inWindow = index.lookup(bands: bands, keys: ["phone:1"], at: Self.now, window: 30 * Self.day, seqs: 0...index.committedSeq)
        #expect(inWindow.map(\.seq) == [2], "the case raised 40 days before is outside the window, seq 3 after the snapshot")
        let after = index.lookup(bands: bands, keys: [], at: Self.now, window: 30 * Self.day, seqs: (index.committedSeq + 1)...Int64.max)
        #expect(after.map(\.seq) == [3])
    }

    @Test func aFloodOfOneTextKeepsOnlyTheMostRecentPerBand() {
        let index = DedupIndex(limits: .init(perBand: 4, perKey: 16, candidates: 12))
        let bands = MinHashSignature(text: Self.text).bands()
        for _ in 0..<1000 { index.insert(seq: index.nextSeq(), bands: bands, keys: [], at: Self.now, receivedAt: Self.now) }
        let hits = index.lookup(bands: bands, keys: [], at: Self.now, window: 30 * Self.day, seqs: 0...Int64.max)
        #expect(hits.map(\.seq) == [1000, 999, 998, 997])
    }

    @Test func growingTheTableForgetsCasesReceivedBeforeTheRetention() {
        // 5 000 cases grow every one of the 64 shards past its first size.
        let index = DedupIndex(retention: 31 * Self.day, capacity: 64)
        let old = MinHashSignature(text: Self.text).bands()
        index.insert(seq: index.nextSeq(), bands: old, keys: ["uscc:old"], at: Self.now - 60 * Self.day, receivedAt: Self.now - 60 * Self.day)
        for number in 0..<5000 {
            index.insert(seq: index.nextSeq(), bands: [], keys: ["uscc:\(number)"], at: Self.now, receivedAt: Self.now)
        }
        #expect(index.lookup(bands: old, keys: ["uscc:old"], at: Self.now - 60 * Self.day, window: 30 * Self.day, seqs: 0...Int64.max).isEmpty)
        #expect(index.lookup(bands: [], keys: ["uscc:7"], at: Self.now, window: 30 * Self.day, seqs: 0...Int64.max).count == 1)
        #expect(index.count == 5000)
    }
}
