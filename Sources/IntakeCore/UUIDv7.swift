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
                state = (now, UInt16.random(in: 0..<0x400))
            } else if now + 1000 < state.millis {
                // An instant well in the past (a backdated receipt): its own time, random counter.
                return (now, UInt16.random(in: 0..<0x1000))
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
        for index in 8..<16 { bytes[index] = random.next() }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        let hex = bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
