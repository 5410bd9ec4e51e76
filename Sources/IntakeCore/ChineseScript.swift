import COpenCC
import Foundation

/// Traditional Chinese read as simplified, through OpenCC (`t2s.json`, Debian's
/// libopencc-dev): `廠房用地規劃許可` → `厂房用地规划许可`. For matching only — deduplication,
/// classification, identity keys — never for what is stored: a case keeps the requester's
/// characters.
public enum ChineseScript {
    /// `text` with traditional characters and phrases converted to simplified ones; `text`
    /// itself when it holds no character OpenCC would convert (most requests: the check is a
    /// bit per code point, the conversion costs ~15 µs per 50 characters).
    public static func simplified(_ text: String) -> String {
        guard let converter = Converter.shared, converter.mayConvert(text) else { return text }
        return converter.convert(text) ?? text
    }

    /// True when OpenCC and its `t2s.json` could be opened (they are a build dependency; a
    /// missing data file leaves matching without the conversion, logged by the caller).
    public static var isAvailable: Bool { Converter.shared != nil }

    private final class Converter: @unchecked Sendable {
        static let shared = Converter()

        private let handle: opencc_t
        /// OpenCC's converter is not documented as safe for concurrent use: one at a time.
        private let lock = NSLock()
        /// One bit per code point of the BMP: set when OpenCC converts that character alone.
        private var convertible = [UInt64](repeating: 0, count: 0x10000 / 64)

        private init?() {
            let handle = opencc_open("t2s.json")
            guard let handle, Int(bitPattern: handle) != -1 else { return nil }
            self.handle = handle
            // The characters t2s changes, found once (~40 ms): every CJK ideograph and
            // compatibility ideograph is converted on its own line and compared. (A character
            // converted only inside a phrase, such as 乾 in 乾燥, is not found: such texts keep
            // it, which costs matching little.)
            var scalars: [Unicode.Scalar] = []
            for range: ClosedRange<UInt32> in [0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF] {
                for value in range { scalars.append(Unicode.Scalar(value)!) }
            }
            let lines = scalars.map { String(Character($0)) }.joined(separator: "\n")
            if let converted = convert(lines)?.split(separator: "\n", omittingEmptySubsequences: false), converted.count == scalars.count {
                for (original, line) in zip(scalars, converted) where line.unicodeScalars.first != original || line.unicodeScalars.count != 1 {
                    convertible[Int(original.value) >> 6] |= 1 << (UInt64(original.value) & 63)
                }
            } else {
                // Lines did not come back one for one: convert every text.
                convertible = [UInt64](repeating: .max, count: 0x10000 / 64)
            }
        }

        func mayConvert(_ text: String) -> Bool {
            for scalar in text.unicodeScalars where scalar.value >= 0x3400 {
                if scalar.value > 0xFFFF { return true }
                if convertible[Int(scalar.value) >> 6] & (1 << (UInt64(scalar.value) & 63)) != 0 { return true }
            }
            return false
        }

        func convert(_ text: String) -> String? {
            lock.lock()
            defer { lock.unlock() }
            var text = text
            return text.withUTF8 { bytes -> String? in
                guard let base = bytes.baseAddress else { return "" }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { pointer in
                    guard let output = opencc_convert_utf8(handle, pointer, bytes.count) else { return nil }
                    defer { opencc_convert_utf8_free(output) }
                    return String(cString: output)
                }
            }
        }
    }
}
