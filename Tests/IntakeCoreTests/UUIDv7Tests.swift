import Foundation
import IntakeCore
import Testing

@Suite struct UUIDv7Tests {
    @Test func idsAreVersion7AndSortInCreationOrder() {
        let ids = (0..<5000).map { _ in UUIDv7.generate() }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(10) {
            #expect(UUID(uuidString: id) != nil)
            #expect(Array(id)[14] == "7")
            #expect("89ab".contains(Array(id)[19]))
        }
    }

    @Test func theTimestampIsTheCreationMillisecond() {
        let date = Date(timeIntervalSince1970: 1_772_068_385.123)
        let id = UUIDv7.generate(at: date)
        let hex = id.replacingOccurrences(of: "-", with: "").prefix(12)
        #expect(UInt64(hex, radix: 16) == 1_772_068_385_123)
    }
}
