import CPhoneNumber

/// A telephone number as the requester gave it, and its E.164 form (`+86…`) when Google's
/// libphonenumber (region CN) calls it a valid number. Anything it does not call valid —
/// short codes (12345, 110), a 7-digit Beijing number, an unassigned mobile range, a foreign
/// number too short to be one — is kept exactly as written: a number is never invented.
///
/// Around libphonenumber, three things it does not do for Chinese input, each only ever
/// *offered* to it (a rewritten form is taken only when libphonenumber calls it valid):
/// - a bare local number (7 or 8 digits, not starting with 0 or 1) is tried with the zone's
///   area code (`022`), as a caller in the zone dials it;
/// - a carrier "IP dialling" prefix (17951 0755 …) typed in front of a long-distance number is
///   dropped (libphonenumber 8.12's CN metadata does not strip these carrier-select codes);
/// - an extension written the Chinese way (`转8001`, `分机8001`) or after a last dash
///   (`022-88839428-8001`) is kept apart, in `extension`; `ext. 8001`, `x8001` and `#8001`
///   libphonenumber finds itself.
public struct PhoneNumber: Sendable, Hashable {
    /// As given, whitespace folded (NFC, full-width digits as ASCII).
    public let given: String
    /// `+…` when libphonenumber calls the number valid, else nil.
    public let e164: String?
    /// The extension's digits, when the number is valid and one was given.
    public let extensionDigits: String?

    /// The canonical value for the case: E.164 when valid, the given text otherwise.
    public var canonical: String { e164 ?? given }

    /// Carrier "IP dialling" prefixes that people type in front of a long-distance number.
    static let ipDialPrefixes = ["17951", "17911", "12593", "17901", "17909", "17908", "10193"]

    /// Separators people type inside a number.
    static let separators: Set<Character> = [" ", "-", "(", ")", "·", ".", "/", "—", "－", "（", "）"]

    /// - Parameter defaultAreaCode: the zone's area code with or without the trunk 0 (`022`),
    ///   tried for bare 7- and 8-digit local numbers; empty for none.
    public init(_ text: String, defaultAreaCode: String) {
        let given = TextNormalizer.line(text)
        self.given = given
        if let found = Self.parse(given, defaultAreaCode: defaultAreaCode) {
            e164 = found.e164
            extensionDigits = found.extension
        } else {
            e164 = nil
            extensionDigits = nil
        }
    }

    /// libphonenumber's verdict on `text` alone, with region CN: E.164 and extension when valid.
    public static func libphonenumber(_ text: String, region: String = "CN") -> (e164: String, extension: String?)? {
        var result = intake_phone_result()
        guard intake_phone_parse(text, region, &result) == 1 else { return nil }
        let e164 = withUnsafeBytes(of: result.e164) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let ext = withUnsafeBytes(of: result.extension) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return (e164, ext.isEmpty ? nil : ext)
    }

    static func parse(_ given: String, defaultAreaCode: String) -> (e164: String, extension: String?)? {
        guard !given.isEmpty, given.utf8.count <= 64 else { return nil }
        var number = given
        var ext: String?
        if let (head, digits) = splitChineseExtension(given) {
            number = head
            ext = digits
        }
        if let found = candidates(number, defaultAreaCode: defaultAreaCode) {
            return (found.e164, ext ?? found.extension)
        }
        // `022-88839428-8001`: a last dash group is an extension only when what is before it
        // is a valid number and the whole is not.
        if ext == nil, let dash = number.lastIndex(where: { $0 == "-" || $0 == "－" }) {
            let tail = number[number.index(after: dash)...].trimmingSpaces()
            let head = String(number[..<dash])
            if (1...6).contains(tail.count), tail.allSatisfy(\.isASCIIDigit), head.contains(where: \.isASCIIDigit),
               let found = candidates(head, defaultAreaCode: defaultAreaCode)
            {
                return (found.e164, tail)
            }
        }
        return nil
    }

    /// The forms of `number` offered to libphonenumber, in order; the first it calls valid.
    private static func candidates(_ number: String, defaultAreaCode: String) -> (e164: String, extension: String?)? {
        let plain = number.allSatisfy { $0.isASCIIDigit || separators.contains($0) }
        let digits = number.filter(\.isASCIIDigit)
        // A bare local number is read in the zone's area code only: libphonenumber alone would
        // read `53610034` as a number in area 536 (Weifang) and `2496287` in area 24.
        if plain, digits.count == 7 || digits.count == 8, let first = digits.first, first != "0", first != "1" {
            let area = defaultAreaCode.filter(\.isASCIIDigit)
            guard !area.isEmpty else { return nil }
            return libphonenumber((area.hasPrefix("0") ? area : "0" + area) + digits)
        }
        if let found = libphonenumber(number) { return found }
        // Only digits and separators: a carrier prefix may be in front.
        guard plain else { return nil }
        if let prefix = ipDialPrefixes.first(where: digits.hasPrefix), digits.count >= prefix.count + 10 {
            return libphonenumber(String(digits.dropFirst(prefix.count)))
        }
        return nil
    }

    /// `022-88839428 转 8001`, `13812345678分机8001`: the number and the extension's digits.
    static func splitChineseExtension(_ text: String) -> (String, String)? {
        for marker in ["分机号", "分机", "转"] {
            guard let range = text.range(of: marker) else { continue }
            let head = text[..<range.lowerBound].trimmingSpaces()
            let tail = text[range.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "：" || $0 == "#" }
            guard !head.isEmpty, (1...6).contains(tail.count), tail.allSatisfy(\.isASCIIDigit) else { return nil }
            return (String(head), String(tail))
        }
        return nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    /// Without leading and trailing spaces.
    func trimmingSpaces() -> String {
        guard let first = firstIndex(where: { $0 != " " }), let last = lastIndex(where: { $0 != " " }) else { return "" }
        return String(self[first...last])
    }
}
