import Foundation

/// Reads the dates found in hotline exports (`2026/2/26 9:13`, `2026年2月26日 9时13分`,
/// Excel serial numbers) as local times in one time zone.
///
/// It runs on every row of every import, so the formats are compiled once and values are
/// matched byte by byte; no `DateFormatter`, and it is safe to share between threads.
public struct HotlineDateParser: Sendable {
    /// The formats as given, in the order they are tried.
    public let formats: [String]
    private let patterns: [Pattern]
    private let zone: ZoneOffsets

    /// Compiles `formats`: the tokens `yyyy`, `M`, `MM`, `d`, `dd`, `H`, `HH`, `m`, `mm`,
    /// `s`, `ss` (single letters take one or two digits), the literals `年月日时分秒-/:.T` and
    /// space (one or more spaces), or the whole format `excel-serial`.
    public init(formats: [String], timeZone: TimeZone) throws(HotlineDateFormatError) {
        self.formats = formats
        var patterns: [Pattern] = []
        for format in formats { patterns.append(try Pattern(format)) }
        self.patterns = patterns
        self.zone = ZoneOffsets(timeZone)
    }

    /// The instant `text` names, or nil when no format matches it exactly or a part is out
    /// of range (month 13, 30 February, hour 24).
    public func parse(_ text: String) -> Date? {
        var text = text
        if let seconds = text.utf8.withContiguousStorageIfAvailable({ parse($0) }) { return seconds.map(Self.date) }
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { parse($0) }!.map(Self.date)
    }

    private static func date(_ seconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        for pattern in patterns {
            if let local = pattern.match(bytes) { return zone.utc(fromLocal: local) }
        }
        return nil
    }
}

/// A date format that cannot be compiled.
public struct HotlineDateFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    public var format: String
    public var message: String
    public var description: String { "date format \"\(format)\": \(message)" }
}

extension HotlineDateParser {
    static let tokenHelp = "tokens yyyy, M, MM, d, dd, H, HH, m, mm, s, ss; literals 年 月 日 时 分 秒 - / : . T and space; or excel-serial"

    /// A compiled format.
    fileprivate enum Pattern: Sendable {
        case pieces([Piece])
        case excelSerial

        enum Component: Int { case year, month, day, hour, minute, second }

        enum Piece: Sendable {
            case number(Component, minDigits: Int, maxDigits: Int)
            /// One character, its UTF-8 bytes packed first byte lowest (年 is three bytes): a
            /// plain value, so trying a format costs no reference counting per piece.
            case literal(UInt32, count: Int)
            case spaces
        }

        init(_ format: String) throws(HotlineDateFormatError) {
            if format == "excel-serial" {
                self = .excelSerial
                return
            }
            var pieces: [Piece] = []
            var seen = Set<Component>()
            var characters = Substring(format)
            while let first = characters.first {
                if first.isLetter, first != "T", first.isASCII {
                    let run = characters.prefix { $0 == first }
                    characters = characters.dropFirst(run.count)
                    guard let piece = Self.token(String(run)) else {
                        throw HotlineDateFormatError(format: format, message: "unknown token \"\(run)\"; expected \(HotlineDateParser.tokenHelp)")
                    }
                    guard case .number(let component, _, _) = piece, seen.insert(component).inserted else {
                        throw HotlineDateFormatError(format: format, message: "\"\(run)\" appears twice")
                    }
                    pieces.append(piece)
                } else if first == " " {
                    characters = characters.drop { $0 == " " }
                    pieces.append(.spaces)
                } else if "年月日时分秒-/:.T".contains(first) {
                    characters = characters.dropFirst()
                    let bytes = Array(String(first).utf8)
                    let packed = bytes.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
                    pieces.append(.literal(packed, count: bytes.count))
                } else {
                    throw HotlineDateFormatError(format: format, message: "unknown token \"\(first)\"; expected \(HotlineDateParser.tokenHelp)")
                }
            }
            guard seen.isSuperset(of: [.year, .month, .day]) else {
                throw HotlineDateFormatError(format: format, message: "needs a year (yyyy), a month (M or MM) and a day (d or dd)")
            }
            if seen.contains(.minute), !seen.contains(.hour) {
                throw HotlineDateFormatError(format: format, message: "has minutes but no hour (H or HH)")
            }
            if seen.contains(.second), !seen.contains(.minute) {
                throw HotlineDateFormatError(format: format, message: "has seconds but no minutes (m or mm)")
            }
            self = .pieces(pieces)
        }

        private static func token(_ run: String) -> Piece? {
            switch run {
            case "yyyy": .number(.year, minDigits: 4, maxDigits: 4)
            case "M": .number(.month, minDigits: 1, maxDigits: 2)
            case "MM": .number(.month, minDigits: 2, maxDigits: 2)
            case "d": .number(.day, minDigits: 1, maxDigits: 2)
            case "dd": .number(.day, minDigits: 2, maxDigits: 2)
            case "H": .number(.hour, minDigits: 1, maxDigits: 2)
            case "HH": .number(.hour, minDigits: 2, maxDigits: 2)
            case "m": .number(.minute, minDigits: 1, maxDigits: 2)
            case "mm": .number(.minute, minDigits: 2, maxDigits: 2)
            case "s": .number(.second, minDigits: 1, maxDigits: 2)
            case "ss": .number(.second, minDigits: 2, maxDigits: 2)
            default: nil
            }
        }

        /// Local seconds since 1970-01-01 00:00 (as if the zone were UTC), or nil.
        func match(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
            switch self {
            case .excelSerial: return Self.excelSerial(bytes)
            case .pieces(let pieces): return Self.match(pieces, bytes)
            }
        }

        private static func match(_ pieces: [Piece], _ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
            var values = (year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0)
            var index = 0
            for piece in pieces {
                switch piece {
                case .number(let component, let minDigits, let maxDigits):
                    var value = 0
                    var digits = 0
                    while digits < maxDigits, index < bytes.count, bytes[index] &- 0x30 < 10 {
                        value = value * 10 + Int(bytes[index] &- 0x30)
                        digits += 1
                        index += 1
                    }
                    guard digits >= minDigits else { return nil }
                    switch component {
                    case .year: values.year = value
                    case .month: values.month = value
                    case .day: values.day = value
                    case .hour: values.hour = value
                    case .minute: values.minute = value
                    case .second: values.second = value
                    }
                case .literal(var packed, let count):
                    guard index + count <= bytes.count else { return nil }
                    for _ in 0..<count {
                        guard bytes[index] == UInt8(truncatingIfNeeded: packed) else { return nil }
                        packed >>= 8
                        index += 1
                    }
                case .spaces:
                    let start = index
                    while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
                    guard index > start else { return nil }
                }
            }
            guard index == bytes.count else { return nil }
            guard (1...12).contains(values.month), values.year >= 1,
                  (1...CivilDate.daysIn(month: values.month, year: values.year)).contains(values.day),
                  (0...23).contains(values.hour), (0...59).contains(values.minute), (0...59).contains(values.second)
            else { return nil }
            let days = CivilDate.days(year: values.year, month: values.month, day: values.day)
            return days * 86_400 + Int64(values.hour * 3600 + values.minute * 60 + values.second)
        }

        /// Excel's day count since 1899-12-30, the fraction being the time of day, rounded to
        /// the second. Serials below 61 (before March 1900, where Excel counts a 29 February
        /// 1900 that never was) are refused.
        private static func excelSerial(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
            guard !bytes.isEmpty, bytes.count <= 24 else { return nil }
            var dots = 0
            for byte in bytes {
                if byte == 0x2E { dots += 1 } else if byte &- 0x30 >= 10 { return nil }
            }
            guard dots <= 1, bytes.first != 0x2E, bytes.last != 0x2E,
                  let serial = Double(String(decoding: bytes, as: UTF8.self)),
                  serial >= 61, serial < 2_958_466  // 9999-12-31
            else { return nil }
            let seconds = Int64((serial * 86_400).rounded())
            return seconds - 25_569 * 86_400  // 1899-12-30 → 1970-01-01
        }
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's `days_from_civil`).
enum CivilDate {
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let year = Int64(month <= 2 ? year - 1 : year)
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let monthFromMarch = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
