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

    /// Shapes people type, as libphonenumber reads them.
    @Test(arguments: [
        ("+86 10 63816362", "+861063816362"), ("0086-10-63816362", "+861063816362"), ("86-22-88839428", "+862288839428"),
        ("17951 0755 36719734", "+8675536719734"), ("12593 010 63816362", "+861063816362"), ("(022)88839428", "+862288839428"),
        ("０２２－８８８３９４２８", "+862288839428"), ("+86 138 1234 5678", "+8613812345678"),
    ])
    func shapesPeopleTypeNormalise(given: String, expected: String) {
        let phone = PhoneNumber(given, defaultAreaCode: "022")
        #expect(phone.e164 == expected)
        #expect(phone.extensionDigits == nil)
    }

    /// These were turned into `+…` numbers that do not exist.
    @Test(arguments: ["010-7596480", "6629000", "14815837318", "+852 19971", "0221234", "+86 123", "13812345678901"])
    func numbersLibphonenumberDoesNotCallValidAreKeptAsWritten(given: String) {
        let phone = PhoneNumber(given, defaultAreaCode: "022")
        #expect(phone.e164 == nil, "\(given) → \(phone.e164 ?? "")")
        #expect(phone.canonical == given)
        #expect(phone.extensionDigits == nil)
    }

    @Test(arguments: ["022-88839428-8001", "022-88839428转8001", "022-88839428 转 8001", "022 8883 9428 ext. 8001", "02288839428 x8001", "022-88839428分机8001"])
    func extensionsAreKeptApartFromTheNumber(given: String) {
        let phone = PhoneNumber(given, defaultAreaCode: "022")
        #expect(phone.e164 == "+862288839428", "\(given)")
        #expect(phone.extensionDigits == "8001", "\(given)")
    }

    @Test func anExtensionOnANumberThatIsNotValidKeepsTheWholeAsWritten() {
        let phone = PhoneNumber("010-7596480转8001", defaultAreaCode: "022")
        #expect(phone.e164 == nil)
        #expect(phone.extensionDigits == nil)
        #expect(phone.canonical == "010-7596480转8001")
    }

    @Test func foreignNumbersKeepTheirCountryCode() {
        #expect(PhoneNumber("+852 2123 4567", defaultAreaCode: "022").e164 == "+85221234567")
    }
}
