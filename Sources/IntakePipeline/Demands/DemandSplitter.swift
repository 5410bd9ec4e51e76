import Foundation

/// Splits free-text visit notes into separate demands where the notes enumerate them
/// (自动归纳梳理分解): `1、` `1.` `1．` `一、` `（一）` `(一)` `①` `(1)` `（1）` and line-leading
/// `-` `•` `·` `●`.
///
/// An enumeration starts at 1 (一, ①) and goes up by one, has at least two items, and no
/// empty item. Markers count only at the start of the text or of a line, or after
/// whitespace or a separating punctuation mark (`；。，：！？`), so that 2026年3月1日, 第1期,
/// 3.5亿元, ISO 9001 and phone numbers stay whole. Enclosed markers are the exception:
/// circled digits are never anything but markers, and Chinese writing runs `（1）…（2）…`
/// together, so `①土地②资金` and `（一）用地（二）排污` split without separators (a
/// parenthesised number right after an ASCII letter or digit, as in `A(1)`, still does not).
///
/// When several styles are present, the one whose first item comes first is the outer
/// level and the only one split on: `1、…（1）…（2）… 2、…` gives two demands, each keeping
/// its sub-items. Text before the first marker ("企业反映以下问题：") is a preamble, not a
/// demand; `parts(_:)` returns it so callers can keep it as context. Text after the last
/// marker belongs to the last item.
public enum DemandSplitter {
    public struct Parts: Sendable, Hashable {
        /// Text before the first marker, trimmed; nil when there is none or nothing was split.
        public var preamble: String?
        /// The demands, trimmed, never empty; the whole note when it enumerates nothing.
        public var items: [String]
    }

    /// The demands in `notes`: trimmed pieces, never empty strings; `[notes trimmed]` when
    /// there is no enumeration, `[]` only for blank notes.
    public static func split(_ notes: String) -> [String] {
        parts(notes).items
    }

    public static func parts(_ notes: String) -> Parts {
        let text = Array(notes)
        let whole = notes.trimmingCharacters(in: .whitespacesAndNewlines)
        let unsplit = Parts(preamble: nil, items: whole.isEmpty ? [] : [whole])
        let markers = findMarkers(in: text)
        var best: [Marker]?
        for style in Style.allCases {
            let ofStyle = markers.filter { $0.style == style }
            guard let chain = firstChain(ofStyle, in: text) else { continue }
            if best == nil || chain[0].start < best![0].start { best = chain }
        }
        guard let chain = best else { return unsplit }
        var items: [String] = []
        for (index, marker) in chain.enumerated() {
            let end = index + 1 < chain.count ? chain[index + 1].start : text.count
            items.append(trimmedItem(text[marker.end..<end]))
        }
        let preamble = trimmedItem(text[0..<chain[0].start])
        return Parts(preamble: preamble.isEmpty ? nil : preamble, items: items)
    }

    // MARK: Markers

    enum Style: CaseIterable {
        case arabicComma      // 1、
        case arabicDot        // 1.  1．
        case chineseComma     // 一、
        case parenArabic      // (1)  （1）
        case parenChinese     // (一)  （一）
        case circled          // ①
        case bullet           // line-leading - • · ●
    }

    struct Marker {
        var style: Style
        /// 1, 2, 3… for numbered styles; 0 for bullets, which carry no number.
        var value: Int
        var start: Int
        var end: Int
    }

    /// The first run of markers numbered 1, 2, 3… (or, for bullets, all of them) with at
    /// least two items, none empty.
    private static func firstChain(_ markers: [Marker], in text: [Character]) -> [Marker]? {
        if markers.first?.style == .bullet {
            return markers.count >= 2 && !hasEmptyItem(markers, in: text) ? markers : nil
        }
        // A chain goes on from each marker the same way whichever "1" it started from, so a
        // marker whose way on has an empty item is remembered and never followed again:
        // following every chain to its end made notes of many markers (①①①…) quadratic.
        var byValue: [Int: [Int]] = [:]
        for (index, marker) in markers.enumerated() { byValue[marker.value, default: []].append(index) }
        var doomed = Set<Int>()
        for start in byValue[1] ?? [] {
            var links = [start]
            var failed = false
            // The next link: the first marker numbered one more, after the last link.
            while let candidates = byValue[links.count + 1], let next = firstAfter(links.last!, in: candidates) {
                if doomed.contains(next) || trimmedItem(text[markers[links.last!].end..<markers[next].start]).isEmpty {
                    failed = true
                    break
                }
                links.append(next)
            }
            guard links.count >= 2 else { continue }
            if !failed, !trimmedItem(text[markers[links.last!].end..<text.count]).isEmpty { return links.map { markers[$0] } }
            doomed.formUnion(links)
        }
        return nil
    }

    /// The first of `sorted` greater than `index`.
    private static func firstAfter(_ index: Int, in sorted: [Int]) -> Int? {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] <= index { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count ? sorted[low] : nil
    }

    private static func hasEmptyItem(_ chain: [Marker], in text: [Character]) -> Bool {
        chain.indices.contains { index in
            let end = index + 1 < chain.count ? chain[index + 1].start : text.count
            return trimmedItem(text[chain[index].end..<end]).isEmpty
        }
    }

    private static func findMarkers(in text: [Character]) -> [Marker] {
        var markers: [Marker] = []
        var index = 0
        while index < text.count {
            if let marker = marker(at: index, in: text) {
                markers.append(marker)
                index = marker.end
            } else {
                index += 1
            }
        }
        return markers
    }

    private static func marker(at index: Int, in text: [Character]) -> Marker? {
        let character = text[index]
        if let value = circledValue(character) {
            return Marker(style: .circled, value: value, start: index, end: index + 1)
        }
        if bullets.contains(character), atLineStart(index, in: text) {
            let next = index + 1 < text.count ? text[index + 1] : "\n"
            // "-5℃" on its own line is a number, not a bullet.
            if character == "-" && !(next == " " || next == "\t" || next == "\u{3000}") { return nil }
            return Marker(style: .bullet, value: 0, start: index, end: index + 1)
        }
        if character == "(" || character == "（" {
            if index > 0, let previous = text[index - 1].unicodeScalars.first, previous.isASCII,
               CharacterSet.alphanumerics.contains(previous) { return nil }
            if let (value, end) = arabicNumber(from: index + 1, in: text), end < text.count, closingParens.contains(text[end]) {
                return Marker(style: .parenArabic, value: value, start: index, end: end + 1)
            }
            if let (value, end) = chineseNumber(from: index + 1, in: text), end < text.count, closingParens.contains(text[end]) {
                return Marker(style: .parenChinese, value: value, start: index, end: end + 1)
            }
            return nil
        }
        guard atBoundary(index, in: text) else { return nil }
        if let (value, end) = arabicNumber(from: index, in: text), end < text.count {
            if text[end] == "、" { return Marker(style: .arabicComma, value: value, start: index, end: end + 1) }
            if text[end] == "." || text[end] == "．" {
                // 3.5亿元, 1.2万平方米: a dot followed by a digit is a decimal point.
                if end + 1 < text.count, digitValue(text[end + 1]) != nil { return nil }
                return Marker(style: .arabicDot, value: value, start: index, end: end + 1)
            }
            return nil
        }
        if let (value, end) = chineseNumber(from: index, in: text), end < text.count, text[end] == "、" {
            return Marker(style: .chineseComma, value: value, start: index, end: end + 1)
        }
        return nil
    }

    private static let bullets: Set<Character> = ["-", "•", "·", "●"]
    private static let closingParens: Set<Character> = [")", "）"]
    /// Marks after which an inline marker may start a new item.
    private static let separators: Set<Character> = ["；", ";", "。", "，", ",", "：", ":", "！", "!", "？", "?"]

    private static func atBoundary(_ index: Int, in text: [Character]) -> Bool {
        guard index > 0 else { return true }
        let previous = text[index - 1]
        return previous.isWhitespace || separators.contains(previous)
    }

    private static func atLineStart(_ index: Int, in text: [Character]) -> Bool {
        var position = index - 1
        while position >= 0 {
            if text[position].isNewline { return true }
            guard text[position].isWhitespace else { return false }
            position -= 1
        }
        return true
    }

    /// ASCII or full-width digits only: `Character.wholeNumberValue` would also read 一 and ①.
    private static func digitValue(_ character: Character) -> Int? {
        guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first else { return nil }
        switch scalar.value {
        case 0x30...0x39: return Int(scalar.value - 0x30)
        case 0xFF10...0xFF19: return Int(scalar.value - 0xFF10)
        default: return nil
        }
    }

    /// A run of at most three digits not preceded by a digit: (value, index after it).
    private static func arabicNumber(from index: Int, in text: [Character]) -> (Int, Int)? {
        if index > 0, digitValue(text[index - 1]) != nil { return nil }
        var value = 0
        var end = index
        while end < text.count, let digit = digitValue(text[end]) {
            // More than three digits is no marker; stop before a long run overflows `value`.
            guard end - index < 3 else { return nil }
            value = value * 10 + digit
            end += 1
        }
        guard end > index else { return nil }
        return (value, end)
    }

    private static let chineseDigits: [Character: Int] = [
        "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    ]

    /// 一 … 九十九 (十, 十一, 二十, 二十一): (value, index after it).
    private static func chineseNumber(from index: Int, in text: [Character]) -> (Int, Int)? {
        var end = index
        while end < text.count, end - index < 4, chineseDigits[text[end]] != nil || text[end] == "十" { end += 1 }
        let run = Array(text[index..<end])
        switch run.count {
        case 1:
            if run[0] == "十" { return (10, end) }
            return chineseDigits[run[0]].map { ($0, end) }
        case 2:
            if run[0] == "十", let units = chineseDigits[run[1]] { return (10 + units, end) }
            if run[1] == "十", let tens = chineseDigits[run[0]], tens > 1 { return (tens * 10, end) }
            return nil
        case 3:
            if run[1] == "十", let tens = chineseDigits[run[0]], tens > 1, let units = chineseDigits[run[2]] {
                return (tens * 10 + units, end)
            }
            return nil
        default:
            return nil
        }
    }

    /// ①…⑳, ㉑…㉟, ㊱…㊿.
    private static func circledValue(_ character: Character) -> Int? {
        guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first else { return nil }
        switch scalar.value {
        case 0x2460...0x2473: return Int(scalar.value - 0x2460) + 1
        case 0x3251...0x325F: return Int(scalar.value - 0x3251) + 21
        case 0x32B1...0x32BF: return Int(scalar.value - 0x32B1) + 36
        default: return nil
        }
    }

    /// Whitespace off both ends, and the separator that ended the item (`；` `，`) off the end.
    private static func trimmedItem(_ characters: ArraySlice<Character>) -> String {
        var slice = characters
        let trailing: Set<Character> = ["；", ";", "，", ",", "、"]
        while let last = slice.last, last.isWhitespace || trailing.contains(last) { slice.removeLast() }
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        return String(slice)
    }
}
