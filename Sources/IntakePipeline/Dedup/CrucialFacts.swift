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
    /// Beyond this many differing characters per side the comparison is not made (the diff is O(n·m)).
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
        guard middleA.count <= maxCompared, middleB.count <= maxCompared else { return nil }
        // Every place the texts differ, in the coordinates of the whole texts.
        let hunks = differences(middleA, middleB).map { hunk in
            (a: (hunk.a.lowerBound + prefix)..<(hunk.a.upperBound + prefix), b: (hunk.b.lowerBound + prefix)..<(hunk.b.upperBound + prefix))
        }
        let substitutions = hunks.filter { !$0.a.isEmpty && !$0.b.isEmpty }.count
        for hunk in hunks {
            // A number is compared whole: `5` → `15` inserts one digit but changes the number.
            let x = widenedToNumber(hunk.a, in: left)
            let y = widenedToNumber(hunk.b, in: right)
            // A number replaced by another; a number added or left out elsewhere (a phone in a
            // signature, "第二次") is an insertion like any other.
            let numeric = left[x].contains(where: isDigit) && right[y].contains(where: isDigit)
            if numeric, digits(left[x]) != digits(right[y]) {
                return "“\(context(x, in: left))” ≠ “\(context(y, in: right))”"
            }
            // A short run replaced by another while the rest is the template: a name, a permit type.
            let named = !hunk.a.isEmpty && !hunk.b.isEmpty && substitutions <= maxTemplateSubstitutions
                && (2...maxFactLength).contains(hunk.a.count) && (2...maxFactLength).contains(hunk.b.count)
            // One character for another where it names a person (张经理 / 李经理) or is the
            // opposite of it (上半年 / 下半年); other single characters may be typos.
            let single = hunk.a.count == 1 && hunk.b.count == 1 && substitutions <= maxTemplateSubstitutions
                && (isOpposite(left[hunk.a.lowerBound], right[hunk.b.lowerBound]) || isSurname(at: hunk.a.lowerBound, in: left))
            if named || single {
                return "“\(context(hunk.a, in: left))” ≠ “\(context(hunk.b, in: right))”"
            }
        }
        return nil
    }

    /// `range` grown to the whole run of digits it touches (also an empty range between two
    /// digits, or next to one).
    static func widenedToNumber(_ range: Range<Int>, in text: [UInt32]) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower > 0, isDigit(text[lower - 1]) { lower -= 1 }
        while upper < text.count, isDigit(text[upper]) { upper += 1 }
        return lower..<upper
    }

    /// The differing part with two characters either side, as people read it.
    static func context(_ range: Range<Int>, in full: [UInt32]) -> String {
        let start = max(0, range.lowerBound - 2)
        let end = min(full.count, range.upperBound + 2)
        return String(String.UnicodeScalarView(full[start..<end].compactMap(Unicode.Scalar.init)))
    }

    /// The text as deduplication reads it (NFC, full-width and traditional folded, no
    /// punctuation or boilerplate), with Chinese numbers as ASCII digits (`三个月` → `3个月`,
    /// `十二号楼` → `12号楼`), so that a number is the same fact however it is written.
    static func normalized(_ text: String) -> [UInt32] {
        let scalars = DedupText.scalars(text)
        var out: [UInt32] = []
        out.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            guard chineseDigits[scalars[index]] != nil || scalars[index] == ten else {
                out.append(scalars[index])
                index += 1
                continue
            }
            var end = index
            while end < scalars.count, chineseDigits[scalars[end]] != nil || scalars[end] == ten { end += 1 }
            out += Array(chineseNumber(scalars[index..<end]).utf8).map(UInt32.init)
            index = end
        }
        return out
    }

    static let ten = UInt32(("十" as Unicode.Scalar).value)

    static let chineseDigits: [UInt32: Int] = Dictionary(uniqueKeysWithValues:
        Array("〇零一二三四五六七八九两".unicodeScalars).enumerated().map { index, scalar in
            (scalar.value, [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2][index])
        })

    /// `十二` → 12, `二十` → 20, `二十五` → 25, `十` → 10; other runs digit by digit (`二〇二六` → 2026).
    static func chineseNumber(_ run: ArraySlice<UInt32>) -> String {
        let values = Array(run)
        if let tenAt = values.firstIndex(of: ten), values.filter({ $0 == ten }).count == 1, values.count <= 3 {
            let tens = tenAt == 0 ? 1 : chineseDigits[values[0]] ?? 1
            let ones = tenAt == values.count - 1 ? 0 : chineseDigits[values[values.count - 1]] ?? 0
            if tenAt <= 1 { return String(tens * 10 + ones) }
        }
        return values.map { $0 == ten ? "10" : String(chineseDigits[$0] ?? 0) }.joined()
    }

    /// Pairs of characters that say the opposite of each other in otherwise equal texts.
    static let opposites: Set<[UInt32]> = {
        let pairs = ["上下", "前后", "新旧", "东西", "南北", "增减", "买卖", "进出", "收支", "内外", "早晚", "长短", "大小", "高低", "多少", "正负", "开关"]
        var set = Set<[UInt32]>()
        for pair in pairs {
            let scalars = pair.unicodeScalars.map(\.value)
            set.insert(scalars)
            set.insert(scalars.reversed())
        }
        return set
    }()

    static func isOpposite(_ a: UInt32, _ b: UInt32) -> Bool { opposites.contains([a, b]) }

    /// Titles that follow a surname: `张经理`, `李女士`, `王总`.
    static let titles: [[UInt32]] = ["经理", "先生", "女士", "总", "老师", "主任", "师傅", "工", "科长", "处长", "局长", "书记"]
        .map { $0.unicodeScalars.map(\.value) }

    static func isSurname(at index: Int, in text: [UInt32]) -> Bool {
        titles.contains { title in
            index + title.count < text.count && Array(text[(index + 1)...(index + title.count)]) == title
        }
    }

    static func isDigit(_ value: UInt32) -> Bool { (0x30...0x39).contains(value) }

    static func digits(_ values: ArraySlice<UInt32>) -> [UInt32] { values.filter(isDigit) }

    /// The places where the LCS alignment of `a` and `b` differs: replacements, insertions
    /// (an empty range in `a`) and deletions (an empty range in `b`).
    static func differences(_ a: [UInt32], _ b: [UInt32]) -> [(a: Range<Int>, b: Range<Int>)] {
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
            if i > startA || j > startB { hunks.append((startA..<i, startB..<j)) }
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
