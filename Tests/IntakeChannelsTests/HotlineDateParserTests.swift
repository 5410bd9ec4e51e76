import Foundation
import IntakeChannels
import Testing

@Suite struct HotlineDateParserTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    static let shippedFormats = [
        "yyyy/M/d H:mm", "yyyy/M/d H:mm:ss", "yyyy/M/d", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
        "yyyy年M月d日 H时m分", "yyyy年M月d日 H时m分s秒", "yyyy年M月d日 H:mm", "yyyy年M月d日", "excel-serial",
    ]

    func parser(_ formats: [String] = shippedFormats, timeZone: TimeZone = shanghai) throws -> HotlineDateParser {
        try HotlineDateParser(formats: formats, timeZone: timeZone)
    }

    /// The instant of an RFC 3339 timestamp, for expectations written the way people read them.
    func instant(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    @Test func slashFormatWithOneDigitPartsIsReadInShanghaiTime() throws {
        #expect(try parser().parse("2026/2/26 9:13") == instant("2026-02-26T09:13:00+08:00"))
    }

    @Test func slashFormatAcceptsTwoDigitPartsToo() throws {
        #expect(try parser().parse("2026/02/06 19:05") == instant("2026-02-06T19:05:00+08:00"))
    }

    @Test func isoLikeFormatWithSecondsGivesTheExactInstant() throws {
        #expect(try parser().parse("2026-02-26 09:13:05") == instant("2026-02-26T09:13:05+08:00"))
    }

    @Test func chineseFormatWithHourAndMinuteCharacters() throws {
        #expect(try parser().parse("2026年2月26日 9时13分") == instant("2026-02-26T09:13:00+08:00"))
    }

    @Test func dateOnlyMeansLocalMidnight() throws {
        #expect(try parser().parse("2026-02-26") == instant("2026-02-26T00:00:00+08:00"))
        #expect(try parser().parse("2026年2月26日") == instant("2026-02-26T00:00:00+08:00"))
    }

    @Test func excelSerialCountsDaysSince1899InLocalTime() throws {
        #expect(try parser().parse("46079.38402777778") == instant("2026-02-26T09:13:00+08:00"))
        #expect(try parser().parse("46079") == instant("2026-02-26T00:00:00+08:00"))
    }

    @Test func doubleLetterTokensRequireTwoDigits() throws {
        #expect(try parser(["yyyy-MM-dd"]).parse("2026-2-26") == nil)
    }

    @Test func outOfRangePartsAreRefused() throws {
        let parser = try parser()
        #expect(parser.parse("2026/13/1 9:00") == nil)
        #expect(parser.parse("2026/2/30 9:00") == nil)
        #expect(parser.parse("2026/2/26 24:00") == nil)
        #expect(parser.parse("2026/2/26 9:60") == nil)
        #expect(parser.parse("2026-02-26 09:13:61") == nil)
    }

    @Test func leapDayIsValidOnlyInLeapYears() throws {
        let parser = try parser()
        #expect(parser.parse("2024/2/29 8:00") == instant("2024-02-29T08:00:00+08:00"))
        #expect(parser.parse("2026/2/29 8:00") == nil)
        #expect(parser.parse("1900/2/29 8:00") == nil)
    }

    @Test func textThatMatchesNoFormatIsRefused() throws {
        let parser = try parser()
        #expect(parser.parse("昨天下午") == nil)
        #expect(parser.parse("2026/2/26 9:13 extra") == nil)
        #expect(parser.parse("") == nil)
        #expect(parser.parse("46079.38.4") == nil)
    }

    @Test func daylightSavingZonesUseTheOffsetOfThatDate() throws {
        let parser = try parser(timeZone: TimeZone(identifier: "America/New_York")!)
        #expect(parser.parse("2026-01-15 12:00") == instant("2026-01-15T12:00:00-05:00"))
        #expect(parser.parse("2026-07-15 12:00") == instant("2026-07-15T12:00:00-04:00"))
    }

    @Test func shanghaiSummerTimeOf1988IsHonoured() throws {
        // China observed daylight saving time 1986–1991.
        #expect(try parser().parse("1988-07-01 12:00") == instant("1988-07-01T12:00:00+09:00"))
    }

    @Test func unknownTokenIsRejectedNamingIt() {
        #expect {
            try HotlineDateParser(formats: ["YYYY-MM-dd"], timeZone: Self.shanghai)
        } throws: { error in
            "\(error)".contains("\"YYYY\"")
        }
    }

    @Test func formatWithoutADayIsRejected() {
        #expect(throws: HotlineDateFormatError.self) {
            try HotlineDateParser(formats: ["yyyy-MM"], timeZone: Self.shanghai)
        }
    }
}
