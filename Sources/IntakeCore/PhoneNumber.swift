/// A telephone number as the requester gave it, normalised to E.164 (+86…) when it is a
/// Chinese mobile, landline or 400/800 service number; short codes (12345, 110) and
/// anything unrecognised are kept as given.
public struct PhoneNumber: Sendable, Hashable {
    public let given: String
    /// `+86…` when recognised, else nil.
    public let e164: String?

    /// The canonical value for the case: E.164 when recognised, the given text otherwise.
    public var canonical: String { e164 ?? given }

    /// Carrier "IP dialling" prefixes that people type in front of a long-distance number.
    static let ipDialPrefixes = ["17951", "17911", "12593", "17901", "17909", "17908"]

    /// - Parameter defaultAreaCode: the zone's area code with or without the trunk 0 (`022`),
    ///   given to 7- and 8-digit local numbers.
    public init(_ text: String, defaultAreaCode: String) {
        let given = TextNormalizer.line(text)
        self.given = given
        self.e164 = PhoneNumber.normalize(given, defaultAreaCode: defaultAreaCode)
    }

    static func normalize(_ given: String, defaultAreaCode: String) -> String? {
        var plus = false
        var international = false
        var digits = ""
        for character in given {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if character == "+", digits.isEmpty {
                plus = true
            } else if !" -().·/".contains(character) {
                return nil  // letters, extensions ("转"), several numbers: not ours to guess
            }
        }
        if plus {
            guard digits.hasPrefix("86") else {
                return (8...15).contains(digits.count) ? "+" + digits : nil
            }
            digits.removeFirst(2)
            international = true
        } else if digits.hasPrefix("0086") {
            digits.removeFirst(4)
            international = true
        } else if digits.count == 13, digits.hasPrefix("861") {
            digits.removeFirst(2)
            international = true
        }
        if digits.count == 16, let prefix = ipDialPrefixes.first(where: digits.hasPrefix) {
            digits.removeFirst(prefix.count)
        }
        if digits.count == 11, digits.hasPrefix("1"), let second = digits.dropFirst().first, ("3"..."9").contains(second) {
            return "+86" + digits
        }
        if digits.count == 10, digits.hasPrefix("400") || digits.hasPrefix("800") {
            return "+86" + digits
        }
        if digits.hasPrefix("0"), (10...12).contains(digits.count), digits.dropFirst().first != "0" {
            return "+86" + digits.dropFirst()
        }
        // After +86 a landline is written without the trunk 0: area code and number.
        if international, (9...11).contains(digits.count), !digits.hasPrefix("0"), !digits.hasPrefix("1") {
            return "+86" + digits
        }
        if digits.count == 7 || digits.count == 8, !digits.hasPrefix("0"), !digits.hasPrefix("1") {
            let area = defaultAreaCode.hasPrefix("0") ? String(defaultAreaCode.dropFirst()) : defaultAreaCode
            guard !area.isEmpty else { return nil }
            return "+86" + area + digits
        }
        return nil
    }
}
