import Foundation
import GRDB
import IntakeCore

extension IntakeDatabase {
    /// Quarantined input, oldest first: the open entries, or all of them.
    public func quarantined(includeResolved: Bool = false, channel: String? = nil) throws -> [QuarantineEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM quarantine
                WHERE (? OR resolved_at IS NULL) AND (? IS NULL OR channel = ?)
                ORDER BY id
                """, arguments: [includeResolved, channel, channel]
            ).map(QuarantineEntry.init(row:))
        }
    }

    public func quarantineEntry(_ id: Int64) throws -> QuarantineEntry? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM quarantine WHERE id = ?", arguments: [id]).map(QuarantineEntry.init(row:))
        }
    }

    /// The open quarantined rows of one file (taken again, whole, when the file is reprocessed).
    public func openQuarantine(rawSHA256: String) throws -> [QuarantineEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM quarantine WHERE raw_sha256 = ? AND resolved_at IS NULL ORDER BY id", arguments: [rawSHA256])
                .map(QuarantineEntry.init(row:))
        }
    }
}

extension IntakeTransaction {
    /// Marks a quarantine entry as dealt with, saying how and by whom; traced.
    public func resolveQuarantine(_ id: Int64, by actor: String, resolution: String, caseID: String? = nil) throws {
        try db.execute(
            sql: "UPDATE quarantine SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL",
            arguments: [now.timeIntervalSince1970, actor, resolution, id])
        let row = try Row.fetchOne(db, sql: "SELECT channel, source, file_name, line FROM quarantine WHERE id = ?", arguments: [id])
        try trace(TraceStep(
            "reprocessed", channel: (row?["channel"] as String?).flatMap(Channel.init(rawValue:)), source: row?["source"],
            ref: row?["file_name"], caseID: caseID, actor: actor,
            detail: ["quarantine_id": .number(Double(id)), "line": .number(Double(row?["line"] as Int? ?? 0)), "resolution": .string(resolution)]))
    }
}

extension QuarantineEntry {
    init(row: Row) {
        self.init(
            channel: Channel(rawValue: row["channel"]) ?? .hotline, source: row["source"], kind: Kind(rawValue: row["kind"]) ?? .row,
            fileName: row["file_name"], rawSHA256: row["raw_sha256"], line: row["line"], reason: row["reason"],
            header: Self.strings(row["header"]), fields: Self.strings(row["fields"]), text: row["text"])
        id = row["id"]
        createdAt = (row["created_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        resolvedAt = (row["resolved_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        resolvedBy = row["resolved_by"]
        resolution = row["resolution"]
    }

    private static func strings(_ json: String?) -> [String]? {
        guard let json, case .array(let values)? = try? JSONParser.parse(Array(json.utf8)) else { return nil }
        return values.map { if case .string(let text) = $0 { text } else { "" } }
    }
}
