import IntakeCore
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("138 1234 5678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("17951 13812345678", "+8613812345678"),
        ("8613812345678", "+8613812345678"),
        ("022-66290000", "+862266290000"),
        ("(022) 6629 0000", "+862266290000"),
        ("010-12345678", "+861012345678"),
        ("0086 22 66290000", "+862266290000"),
        ("66290000", "+862266290000"),
        ("400-810-8888", "+864008108888"),
        ("800 810 8888", "+868008108888"),
        ("１３８１２３４５６７８", "+8613812345678"),
    ])
    func normalisesToE164(given: String, expected: String) {
        #expect(PhoneNumber(given, defaultAreaCode: "022").e164 == expected)
    }

    @Test func localNumberTakesTheConfiguredAreaCode() {
        #expect(PhoneNumber("87654321", defaultAreaCode: "010").e164 == "+861087654321")
        #expect(PhoneNumber("87654321", defaultAreaCode: "10").e164 == "+861087654321")
    }

    @Test(arguments: ["12345", "110", "12345转1", "电话请咨询前台", "138123"])
    func shortCodesAndUnrecognisedNumbersAreKeptRaw(given: String) {
        let phone = PhoneNumber(given, defaultAreaCode: "022")
        #expect(phone.e164 == nil)
        #expect(phone.canonical == given)
    }

    @Test func foreignNumbersKeepTheirCountryCode() {
        #expect(PhoneNumber("+852 2123 4567", defaultAreaCode: "022").e164 == "+85221234567")
    }
}
