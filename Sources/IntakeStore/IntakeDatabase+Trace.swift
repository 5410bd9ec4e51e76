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

    init(at: Date, step: String, channel: String?, source: String?, ref: String?, caseID: String?, detail: String?) {
        self.at = at
        self.step = step
        self.channel = channel
        self.source = source
        self.ref = ref
        self.caseID = caseID
        actor = nil
        self.detail = detail
    }

    init(_ entry: TraceEntry, step: String, detail: String?) {
        at = entry.at
        self.step = step
        channel = entry.channel
        source = entry.source
        ref = entry.ref
        caseID = entry.caseID
        actor = entry.actor
        self.detail = detail
    }

    /// The steps a record stands for: an `admitted` record holds a case's intake steps
    /// (received, normalised, deduplicated, stored, queued) in one row.
    static func expanded(_ rows: [Row]) -> [TraceEntry] {
        rows.flatMap { row -> [TraceEntry] in
            let entry = TraceEntry(row: row)
            guard entry.step == "admitted", let text = entry.detail,
                case .object(let record)? = try? JSONParser.parse(Array(text.utf8)), let steps = record["steps"]?.arrayValue
            else { return [entry] }
            return steps.compactMap { step in
                guard let parts = step.arrayValue, let name = parts.first?.stringValue else { return nil }
                return TraceEntry(entry, step: name, detail: parts.count > 1 ? parts[1].serialized() : nil)
            }
        }
    }
}

extension IntakeDatabase {
    /// The timeline of a case, found by case id or by source ref (refused requests have a ref
    /// but no case). Oldest first. An email's ref is its Message-ID without the angle
    /// brackets: `<id@host>`, as the header writes it, finds it too.
    public func traceEntries(for id: String) throws -> [TraceEntry] {
        let entries = try traceEntries(exactly: id)
        let trimmed = id.trimmingCharacters(in: .whitespaces)
        guard entries.isEmpty, trimmed.count > 2, trimmed.hasPrefix("<"), trimmed.hasSuffix(">") else { return entries }
        return try traceEntries(exactly: String(trimmed.dropFirst().dropLast()))
    }

    private func traceEntries(exactly id: String) throws -> [TraceEntry] {
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
            // The retention sweeper empties raw inputs past their horizon and marks them, once
            // per raw input; a case's timeline shows it as a `raw_retired` step (the case keeps
            // raw_sha256), derived here rather than written once per case of a hotline file.
            let retired = try Row.fetchAll(db, sql: """
                SELECT r.retired_at, c.channel, c.source, c.ref, c.id, c.raw_sha256, r.size
                FROM intake_case c JOIN raw_input r ON r.sha256 = c.raw_sha256
                WHERE c.id IN (SELECT value FROM json_each(?)) AND r.retired_at IS NOT NULL
                """, arguments: [JSONValue.array(caseIDs.map(JSONValue.string)).serialized()]).map { row in
                TraceEntry(
                    at: Date(timeIntervalSince1970: row[0]), step: "raw_retired", channel: row[1], source: row[2], ref: row[3],
                    caseID: row[4],
                    detail: JSONValue.object([
                        "raw_sha256": .string(row[5]), "bytes": .number(Double(row[6] as Int)),
                        "note": .string("raw input bytes removed by retention; the hash stays"),
                    ]).serialized())
            }
            // Ordered by time, keeping the stored order among equal times.
            return (TraceEntry.expanded(rows) + retired).enumerated()
                .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        }
    }

    /// A stored case document, by id.
    public func caseDocument(id: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT document FROM intake_case WHERE id = ?", arguments: [id]) }
    }

    public func caseCount() throws -> Int { try count("intake_case") }

    /// Bytes of pages per table and index (SQLite's `dbstat`; empty where it is not compiled in).
    public func tableSizes() throws -> [String: Int] {
        try pool.read { db in
            guard let rows = try? Row.fetchAll(db, sql: "SELECT name, sum(pgsize) FROM dbstat GROUP BY name") else { return [:] }
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as Int) })
        }
    }

    /// The database's pages as SQLite sees them (the WAL's newer pages included) and how
    /// many of them are free, with the page size: the store's size, whatever the files say.
    public func pageStatistics() throws -> (pages: Int, free: Int, pageSize: Int) {
        try pool.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0, try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0,
             try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096)
        }
    }

    /// Cases received since `date`: a range of the primary key, whose UUIDv7 ids begin with
    /// their millisecond of creation (no scan of older cases).
    public func casesSince(_ date: Date) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM intake_case WHERE id >= ?", arguments: [UUIDv7.lowerBound(at: date)]) ?? 0
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
