import Foundation

/// A time zone's UTC offsets as a table of transitions, so that turning a local time into an
/// instant costs a binary search instead of a call into the time zone database per row.
/// Covers 1900–2100; outside that range it asks the `TimeZone`.
struct ZoneOffsets: Sendable {
    private let timeZone: TimeZone
    /// UTC seconds at which `offsets[i]` starts to apply; ascending.
    private let starts: [Int64]
    private let offsets: [Int64]
    private static let rangeStart: Int64 = -2_208_988_800  // 1900-01-01
    private static let rangeEnd: Int64 = 4_102_444_800     // 2100-01-01

    init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
        var starts = [Self.rangeStart]
        var offsets = [Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(Self.rangeStart))))]
        var cursor = Date(timeIntervalSince1970: TimeInterval(Self.rangeStart))
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next > cursor,
              next.timeIntervalSince1970 < TimeInterval(Self.rangeEnd) {
            starts.append(Int64(next.timeIntervalSince1970.rounded()))
            offsets.append(Int64(timeZone.secondsFromGMT(for: next)))
            cursor = next
        }
        self.starts = starts
        self.offsets = offsets
    }

    /// The instant at which clocks in the zone show `local` (seconds since 1970 as if local
    /// were UTC). In a gap or an overlap (daylight saving changes) one of the candidates.
    func utc(fromLocal local: Int64) -> Int64 {
        let guess = local - offset(atUTC: local)
        let first = offset(atUTC: guess)
        let second = offset(atUTC: local - first)
        return local - (first == second ? first : max(first, second))
    }

    func offset(atUTC utc: Int64) -> Int64 {
        guard utc >= Self.rangeStart, utc < Self.rangeEnd else {
            return Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc))))
        }
        if utc >= starts[starts.count - 1] { return offsets[offsets.count - 1] }
        var low = 0
        var high = starts.count - 1  // starts[low] <= utc < starts[high]
        while high - low > 1 {
            let middle = (low + high) / 2
            if starts[middle] <= utc { low = middle } else { high = middle }
        }
        return offsets[low]
    }
}
