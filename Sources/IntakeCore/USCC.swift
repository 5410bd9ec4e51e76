/// A unified social credit code (统一社会信用代码) as given, with its GB 32100-2015 check.
///
/// An invalid code is kept exactly as given and flagged, never "fixed": the routing system
/// and a person reading the case must see what the requester wrote.
public struct USCC: Sendable, Hashable {
    public let code: String
    public let isValid: Bool

    /// The 31 characters the standard allows, in the order of their values (no I, O, S, V, Z).
    static let alphabet: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    static let values: [Character: Int] = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })

    /// Folds case and full-width forms and drops inner spaces before checking; keeps `code` as the folded form.
    public init(_ given: String) {
        let folded = TextNormalizer.line(given).uppercased().filter { !$0.isWhitespace && $0 != "-" }
        self.code = folded
        self.isValid = USCC.verify(folded)
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
