import IntakeCore

/// Whether two similar texts are one demand sent twice or two demands written from one
/// template. MinHash sees `为3号地块办理规划许可` and `为5号地块办理规划许可` as 0.9 alike; a
/// person sees two plots. So a pair the similarity calls duplicates is compared once more,
/// as text: where the two differ by *replacing* something — a number (a plot, a building, a
/// year, an amount, a date), or a short run of characters that names a thing (a person, a
/// permit type) while the rest of the text is the same — they differ in a crucial fact and
/// are not duplicates. What a re-send adds or leaves out (a reminder sentence, a greeting, a
/// phone number) is an insertion, never a conflict.
///
/// Hand-written because no library judges this: it is a diff (longest common subsequence
/// of the `DedupText`-normalised characters) and two rules about its substitutions.
public enum CrucialFacts {
    /// A substitution longer than this (either side) is rewording, not a fact.
    static let maxFactLength = 6
    /// Texts with more substitutions than this are paraphrases, not a template filled twice;
    /// only their numbers are compared.
    static let maxTemplateSubstitutions = 2
    /// Beyond this many characters per side the comparison is not made (the diff is O(n·m)).
    static let maxCompared = 600

    /// The first fact in which `a` and `b` differ, for people (`“3号地块” ≠ “5号地块”`), or
    /// nil when they differ only by insertions, deletions and rewording.
    public static func conflict(_ a: String, _ b: String) -> String? {
        let left = normalized(a)
        let right = normalized(b)
        var prefix = 0
        while prefix < left.count, prefix < right.count, left[prefix] == right[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < left.count - prefix, suffix < right.count - prefix,
              left[left.count - 1 - suffix] == right[right.count - 1 - suffix]
        {
            suffix += 1
        }
        let middleA = Array(left[prefix..<(left.count - suffix)])
        let middleB = Array(right[prefix..<(right.count - suffix)])
        // Only one side differs: an insertion (a reminder, a greeting), never a conflict.
        guard !middleA.isEmpty, !middleB.isEmpty else { return nil }
        guard middleA.count <= maxCompared, middleB.count <= maxCompared else { return nil }
        let hunks = substitutions(middleA, middleB)
        /// The differing part with two characters either side, as people read it.
        func context(_ range: Range<Int>, in full: [UInt32]) -> String {
            let start = max(0, prefix + range.lowerBound - 2)
            let end = min(full.count, prefix + range.upperBound + 2)
            return String(String.UnicodeScalarView(full[start..<end].compactMap(Unicode.Scalar.init)))
        }
        for hunk in hunks {
            let x = middleA[hunk.a]
            let y = middleB[hunk.b]
            let numeric = x.contains(where: isDigit) || y.contains(where: isDigit)
            let named = hunks.count <= maxTemplateSubstitutions && x.count >= 2 && y.count >= 2
                && x.count <= maxFactLength && y.count <= maxFactLength
            if numeric && digits(x) != digits(y) || named {
                return "“\(context(hunk.a, in: left))” ≠ “\(context(hunk.b, in: right))”"
            }
        }
        return nil
    }

    /// The text as deduplication reads it (NFC, full-width and traditional folded, no
    /// punctuation or boilerplate), with the Chinese digits 〇一…九 as ASCII digits, so that
    /// `3个月` and `三个月` are the same fact.
    static func normalized(_ text: String) -> [UInt32] {
        DedupText.scalars(text).map { chineseDigits[$0] ?? $0 }
    }

    static let chineseDigits: [UInt32: UInt32] = Dictionary(uniqueKeysWithValues:
        Array("〇零一二三四五六七八九两".unicodeScalars).enumerated().map { index, scalar in
            (scalar.value, UInt32(0x30) + UInt32([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2][index]))
        })

    static func isDigit(_ value: UInt32) -> Bool { (0x30...0x39).contains(value) }

    static func digits(_ values: ArraySlice<UInt32>) -> [UInt32] { values.filter(isDigit) }

    /// The places where the LCS alignment replaces characters of `a` with characters of `b`.
    static func substitutions(_ a: [UInt32], _ b: [UInt32]) -> [(a: Range<Int>, b: Range<Int>)] {
        let n = a.count, m = b.count
        // lengths[i][j]: LCS of a[i...] and b[j...], flattened.
        var lengths = [Int32](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i * (m + 1) + j] = a[i] == b[j]
                    ? lengths[(i + 1) * (m + 1) + j + 1] + 1
                    : max(lengths[(i + 1) * (m + 1) + j], lengths[i * (m + 1) + j + 1])
            }
        }
        var hunks: [(a: Range<Int>, b: Range<Int>)] = []
        var i = 0, j = 0
        var startA = 0, startB = 0
        func close() {
            if i > startA, j > startB { hunks.append((startA..<i, startB..<j)) }
        }
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                close()
                i += 1
                j += 1
                startA = i
                startB = j
            } else if j < m, i == n || lengths[i * (m + 1) + j + 1] >= lengths[(i + 1) * (m + 1) + j] {
                j += 1
            } else {
                i += 1
            }
        }
        close()
        return hunks
    }
}
