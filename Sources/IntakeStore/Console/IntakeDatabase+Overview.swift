import Foundation
import GRDB
import IntakeCore

/// The console's overview figures that `StoreStatus` does not hold.
public struct CaseCounts: Sendable {
    /// Cases received per day (oldest first) and channel, for the days asked for.
    public let perDay: [(start: Date, byChannel: [String: Int])]
    /// Of the cases in the whole range, those that deduplication linked to an earlier one.
    public let duplicates: Int
    public let total: Int
    public let openQuarantine: Int
}

extension IntakeDatabase {
    /// Cases per channel for each day that starts at one of `dayStarts` (ascending; each day
    /// ends where the next starts, the last at `end`), read as ranges of the time-ordered ids.
    public func caseCounts(dayStarts: [Date], end: Date) throws -> CaseCounts {
        try pool.read { db in
            var perDay: [(start: Date, byChannel: [String: Int])] = []
            for (index, start) in dayStarts.enumerated() {
                let stop = index + 1 < dayStarts.count ? dayStarts[index + 1] : end
                let rows = try Row.fetchAll(db, sql: """
                    SELECT channel, count(*) FROM intake_case WHERE id >= ? AND id < ? GROUP BY channel
                    """, arguments: [UUIDv7.lowerBound(at: start), UUIDv7.lowerBound(at: stop)])
                perDay.append((start, Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as Int) })))
            }
            let range: StatementArguments = [UUIDv7.lowerBound(at: dayStarts.first ?? end), UUIDv7.lowerBound(at: end)]
            let duplicates = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM intake_case WHERE id >= ? AND id < ? AND json_extract(document, '$.duplicate_of') IS NOT NULL
                """, arguments: range) ?? 0
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM intake_case WHERE id >= ? AND id < ?", arguments: range) ?? 0
            let open = try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine WHERE resolved_at IS NULL") ?? 0
            return CaseCounts(perDay: perDay, duplicates: duplicates, total: total, openQuarantine: open)
        }
    }
}
