/// Every category's keywords, indexed by their first character so that a text is scanned
/// once: at each character only the keywords starting with it are compared, and a bitmap
/// rules out most characters before the dictionary is consulted.
///
/// Text and keywords are compared folded: full-width ASCII forms to ASCII, ASCII letters to
/// lower case.
struct KeywordIndex: Sendable {
    struct Entry: Sendable {
        /// The folded keyword, as Unicode scalar values.
        var scalars: [UInt32]
        var category: Int
        var weight: Int
        var term: String
    }

    private(set) var entries: [Entry] = []
    /// First scalar → indices into `entries`.
    private var byFirst: [UInt32: [Int]] = [:]
    /// One bit per (first scalar mod 65 536); a clear bit means no keyword starts there.
    private var firstBits = [UInt64](repeating: 0, count: 1024)

    init(_ categories: [Taxonomy.Entry]) {
        for (category, entry) in categories.enumerated() {
            for keyword in entry.keywords {
                let scalars = Self.folded(keyword.term)
                guard let first = scalars.first else { continue }
                byFirst[first, default: []].append(entries.count)
                firstBits[Int(first & 0xFFFF) >> 6] |= 1 << (first & 63)
                entries.append(Entry(scalars: scalars, category: category, weight: keyword.weight, term: keyword.term))
            }
        }
    }

    /// Adds to `found` the index of every keyword that occurs in `text`, once each.
    func scan(_ text: String, into found: inout [Int]) {
        guard !entries.isEmpty else { return }
        var scalars: [UInt32] = []
        scalars.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { scalars.append(Self.fold(scalar.value)) }
        for start in scalars.indices {
            let first = scalars[start]
            guard firstBits[Int(first & 0xFFFF) >> 6] & (1 << (first & 63)) != 0, let candidates = byFirst[first] else { continue }
            for index in candidates where !found.contains(index) {
                let keyword = entries[index].scalars
                guard scalars.count - start >= keyword.count else { continue }
                var offset = 1
                while offset < keyword.count, scalars[start + offset] == keyword[offset] { offset += 1 }
                if offset == keyword.count { found.append(index) }
            }
        }
    }

    static func folded(_ text: String) -> [UInt32] {
        text.unicodeScalars.map { fold($0.value) }
    }

    static func fold(_ text: String) -> String {
        String(String.UnicodeScalarView(folded(text).compactMap(Unicode.Scalar.init)))
    }

    /// Full-width ASCII (U+FF01…U+FF5E) to ASCII, the ideographic space to a space, ASCII
    /// letters to lower case.
    static func fold(_ value: UInt32) -> UInt32 {
        var value = value
        if value >= 0xFF01, value <= 0xFF5E { value -= 0xFEE0 } else if value == 0x3000 { value = 0x20 }
        if value >= 0x41, value <= 0x5A { value += 0x20 }
        return value
    }
}
