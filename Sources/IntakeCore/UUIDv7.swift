import Foundation
import Synchronization

/// Time-ordered identifiers (RFC 9562 UUIDv7) for cases: sortable by creation time, so the
/// store's primary key index stays append-mostly.
public enum UUIDv7 {
    private static let last = Mutex<(millis: UInt64, counter: UInt16)>((0, 0))

    /// A new lowercase UUIDv7 string. Within one millisecond a 12-bit counter keeps them ordered.
    public static func generate(at date: Date = Date()) -> String {
        let now = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let (millis, counter) = last.withLock { state -> (UInt64, UInt16) in
            if now > state.millis {
                state = (now, 0)
            } else if now + 1000 < state.millis {
                // An instant well in the past (a backdated receipt): its own time.
                return (now, 0)
            } else {
                state.counter &+= 1
                if state.counter > 0xFFF { state = (state.millis + 1, 0) }
            }
            return state
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(index)))) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        var random = SystemRandomNumberGenerator()
        let tail: UInt64 = random.next()  // one getrandom call, not one per byte
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: tail >> (8 * UInt64(index - 8))) }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The smallest id made at or after `date` (`xxxxxxxx-xxxx`): a bound for a range of a
    /// key of UUIDv7 ids, which sort by their millisecond of creation.
    public static func lowerBound(at date: Date) -> String {
        let hex = String(UInt64(max(0, date.timeIntervalSince1970 * 1000)), radix: 16).leftPadded(to: 12)
        return hex.prefix(8) + "-" + hex.suffix(4)
    }

    /// When an id was made, from its first 48 bits; nil for a string that is not a UUIDv7.
    public static func date(of id: String) -> Date? {
        let digits = id.utf8.prefix(13).filter { $0 != UInt8(ascii: "-") }
        guard digits.count == 12, let millis = UInt64(String(decoding: digits, as: UTF8.self), radix: 16) else { return nil }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
