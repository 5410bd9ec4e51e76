import Foundation
import GRDB
import IntakeCore

/// A hotline export as the console lists it: what its ingest counted and where it went.
public struct HotlineFile: Sendable, Hashable {
    public let source: String
    public let name: String
    public let rawSHA256: String
    public let at: Date
    /// The `file_ingested` counts (rows, created, duplicates, updated, repeats, rejected), or
    /// nil when the file had no usable header.
    public let counts: [String: Int]?
    /// The archived file or quarantined file's path, once the spool moved it.
    public let path: String?
    public let quarantinedReason: String?
}

/// A raw input's bytes, or nothing when retention retired them (the hash stays).
public struct RawInputBytes: Sendable {
    public let sha256: String
    public let channel: String
    public let mediaType: String
    public let size: Int
    /// The bytes in the row, or nil when they are in the blob store (`inBlobStore`) or retired.
    public let body: Data?
    public let inBlobStore: Bool
    public let retired: Bool
}

extension IntakeDatabase {
    /// The most recent hotline files, newest first, from their trace steps.
    public func hotlineFiles(limit: Int = 100) throws -> [HotlineFile] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, at, step, source, ref, raw_sha256, detail FROM trace
                WHERE step IN ('file_ingested', 'file_archived', 'file_quarantined') AND channel = 'hotline'
                ORDER BY id DESC LIMIT ?
                """, arguments: [limit * 3])
            var files: [String: (order: Int64, at: Date, source: String, name: String, sha: String, counts: [String: Int]?, path: String?, reason: String?)] = [:]
            for row in rows {
                guard let sha: String = row["raw_sha256"], let name: String = row["ref"], let source: String = row["source"] else { continue }
                let key = source + "\u{0}" + sha + "\u{0}" + name
                var file = files[key] ?? (row["id"], Date(timeIntervalSince1970: row["at"]), source, name, sha, nil, nil, nil)
                let detail: [String: JSONValue] = {
                    guard let text: String = row["detail"], case .object(let object)? = try? JSONParser.parse(Array(text.utf8)) else { return [:] }
                    return object
                }()
                switch row["step"] as String {
                case "file_ingested":
                    file.counts = detail.compactMapValues { $0.numberValue.map { Int($0) } }
                case "file_archived":
                    file.path = file.path ?? detail["path"]?.stringValue
                default:
                    file.path = file.path ?? detail["path"]?.stringValue
                    file.reason = file.reason ?? detail["reason"]?.stringValue
                }
                files[key] = file
            }
            let quarantined = try Row.fetchAll(db, sql: """
                SELECT raw_sha256, file_name, reason FROM quarantine WHERE kind = 'file' AND channel = 'hotline'
                """)
            let reasons = Dictionary(quarantined.map { (($0[0] as String) + "\u{0}" + ($0[1] as String), $0[2] as String) }, uniquingKeysWith: { $1 })
            return files.values.sorted { $0.order > $1.order }.prefix(limit).map { file in
                HotlineFile(
                    source: file.source, name: file.name, rawSHA256: file.sha, at: file.at, counts: file.counts, path: file.path,
                    quarantinedReason: file.reason ?? (file.counts == nil ? reasons[file.sha + "\u{0}" + file.name] : nil))
            }
        }
    }

    /// The open quarantined rows of a file, by line: what its error report lists.
    public func quarantinedRows(rawSHA256: String, fileName: String) throws -> [QuarantineEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM quarantine WHERE raw_sha256 = ? AND file_name = ? AND kind = 'row' ORDER BY line, id
                """, arguments: [rawSHA256, fileName]).map(QuarantineEntry.init(row:))
        }
    }

    /// A raw input by its SHA-256.
    public func rawInput(sha256: String) throws -> RawInputBytes? {
        try pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT sha256, channel, media_type, size, body, in_blob_store, retired_at IS NOT NULL FROM raw_input WHERE sha256 = ?
                """, arguments: [sha256]).map { row in
                let inBlobStore: Bool = row[5]
                let retired: Bool = row[6]
                return RawInputBytes(
                    sha256: row[0], channel: row[1], mediaType: row[2], size: row[3],
                    body: inBlobStore || retired ? nil : row[4] as Data?, inBlobStore: inBlobStore, retired: retired)
            }
        }
    }
}

extension IntakeDatabase {
    /// Console user changes as traced (`console_user_added`, `…_changed`, `…_removed`), oldest first.
    public func consoleUserChanges() throws -> [TraceEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT at, step, channel, source, ref, case_id, actor, detail FROM trace
                WHERE step IN ('console_user_added', 'console_user_changed', 'console_user_removed') ORDER BY id
                """).map(TraceEntry.init(row:))
        }
    }
}
