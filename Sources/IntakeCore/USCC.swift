/// A unified social credit code (统一社会信用代码) as given, with its GB 32100-2015 check.
///
/// A valid code is kept in its canonical form: upper case, without the spaces, hyphens or
/// full-width forms it was typed with. An invalid one is kept exactly as written (only
/// whitespace trimmed) and flagged, never "fixed": the routing system and a person reading
/// the case must see what the requester wrote. A field holding two codes is one invalid value.
public struct USCC: Sendable, Hashable {
    public let code: String
    public let isValid: Bool

    /// The 31 characters the standard allows, in the order of their values (no I, O, S, V, Z).
    static let alphabet: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    static let values: [Character: Int] = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })

    /// Checks the code with case, full-width forms, spaces and hyphens folded; `code` is that
    /// canonical form when it is valid, the given text (trimmed) when it is not.
    public init(_ given: String) {
        let canonical = TextNormalizer.matchingLine(given).uppercased().filter { !$0.isWhitespace && $0 != "-" }
        isValid = USCC.verify(canonical)
        code = isValid ? canonical : given.trimmingWhitespace()
    }

    /// The check character for the first 17 characters, or nil when one is outside the alphabet.
    public static func checkCharacter(for body: some Collection<Character>) -> Character? {
        guard body.count == 17 else { return nil }
        var sum = 0
        for (character, weight) in zip(body, weights) {
            guard let value = values[character] else { return nil }
            sum += value * weight
        }
        let check = (31 - sum % 31) % 31
        return alphabet[check]
    }

    static func verify(_ code: String) -> Bool {
        let characters = Array(code)
        guard characters.count == 18, let expected = checkCharacter(for: characters[0..<17]) else { return false }
        return characters[17] == expected
    }
}

extension String {
    /// Without leading and trailing whitespace (line breaks included), inner text untouched.
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
