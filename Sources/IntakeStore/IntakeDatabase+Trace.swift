import Foundation
import GRDB
import IntakeCore

/// A step as read back from the store.
public struct TraceEntry: Sendable, Hashable {
    public let at: Date
    public let step: String
    public let channel: String?
    public let source: String?
    public let ref: String?
    public let caseID: String?
    public let actor: String?
    /// The step's detail as a JSON object text, when it has one.
    public let detail: String?

    init(row: Row) {
        at = Date(timeIntervalSince1970: row[0])
        step = row[1]
        channel = row[2]
        source = row[3]
        ref = row[4]
        caseID = row[5]
        actor = row[6]
        detail = row[7]
    }
}

extension IntakeDatabase {
    /// The timeline of a case, found by case id or by source ref (refused requests have a ref
    /// but no case). Oldest first.
    public func traceEntries(for id: String) throws -> [TraceEntry] {
        try pool.read { db in
            let caseIDs = try String.fetchAll(db, sql: """
                SELECT id FROM intake_case WHERE id = ?
                UNION SELECT case_id FROM intake_ledger WHERE ref = ? AND case_id IS NOT NULL
                """, arguments: [id, id])
            let rows = try Row.fetchAll(db, sql: """
                SELECT at, step, channel, source, ref, case_id, actor, detail FROM trace
                WHERE case_id IN (SELECT value FROM json_each(?)) OR (case_id IS NULL AND ref = ?)
                ORDER BY at, id
                """, arguments: [JSONValue.array(caseIDs.map(JSONValue.string)).serialized(), id])
            return rows.map(TraceEntry.init(row:))
        }
    }

    /// A stored case document, by id.
    public func caseDocument(id: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT document FROM intake_case WHERE id = ?", arguments: [id]) }
    }

    public func caseCount() throws -> Int { try count("intake_case") }

    /// Cases received since `date`: a range of the primary key, whose UUIDv7 ids begin with
    /// their millisecond of creation (no scan of older cases).
    public func casesSince(_ date: Date) throws -> Int {
        let hex = String(UInt64(max(0, date.timeIntervalSince1970 * 1000)), radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        let bound = padded.prefix(8) + "-" + padded.suffix(4)
        return try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM intake_case WHERE id >= ?", arguments: [String(bound)]) ?? 0
        }
    }
    public func rawInputCount() throws -> Int { try count("raw_input") }
    public func ledgerCount() throws -> Int { try count("intake_ledger") }

    /// Trace steps of refused requests (no case), newest last.
    public func refusals() throws -> [TraceEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT at, step, channel, source, ref, case_id, actor, detail FROM trace WHERE step = 'refused' ORDER BY id
                """).map(TraceEntry.init(row:))
        }
    }

    private func count(_ table: String) throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }
}
