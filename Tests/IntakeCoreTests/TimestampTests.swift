import Foundation
import IntakeCore
import Testing

@Suite struct TimestampTests {
    let shanghai = Timestamp(timeZone: TimeZone(identifier: "Asia/Shanghai")!)

    @Test func formatsWithTheZoneOffset() {
        let date = Date(timeIntervalSince1970: 1_772_068_385)  // 2026-02-26T01:13:05Z
        #expect(shanghai.format(date) == "2026-02-26T09:13:05+08:00")
        #expect(shanghai.format(date.addingTimeInterval(0.25)) == "2026-02-26T09:13:05.250+08:00")
        #expect(Timestamp(timeZone: TimeZone(identifier: "UTC")!).format(date) == "2026-02-26T01:13:05Z")
    }

    @Test func parsesOffsetsAndFractions() {
        #expect(Timestamp.parse("2026-02-26T09:13:05+08:00") == Date(timeIntervalSince1970: 1_772_068_385))
        #expect(Timestamp.parse("2026-02-26T01:13:05Z") == Date(timeIntervalSince1970: 1_772_068_385))
        #expect(Timestamp.parse("2026-02-26T01:13:05.5-00:30") == Date(timeIntervalSince1970: 1_772_068_385 + 1800.5))
    }

    @Test(arguments: ["2026-02-26T09:13:05", "2026-02-26", "2026-13-01T00:00:00Z", "26/2/2026 9:13", "2026-02-26T09:13:05+0800"])
    func refusesTimestampsWithoutAnOffsetOrOutOfRange(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func roundTripsAcrossCenturies() {
        for seconds in stride(from: -2_000_000_000.0, to: 4_000_000_000.0, by: 86_399.5 * 37) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Timestamp.parse(shanghai.format(date)) == date)
        }
    }
}
