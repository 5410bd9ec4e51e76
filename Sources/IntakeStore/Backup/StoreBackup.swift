import Crypto
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// A consistent copy of a running store: `<dest>/intake.sqlite` and `<dest>/blobs/`, the
/// same layout as `store.path` and `store.blob_dir`, so that restoring is copying both back.
///
/// The database is copied with SQLite's online backup API in one step inside one read
/// transaction: a snapshot as of its first page, taken while intake goes on writing (WAL
/// readers do not block the writer). Then the blobs that snapshot names are copied, hashed
/// on the way. A copy is whole only once `intake.sqlite` is there: it is written under a
/// temporary name and renamed last, after its blobs.
public enum StoreBackup {
    public static let databaseName = "intake.sqlite"
    public static let blobDirectoryName = "blobs"

    /// What a backup holds, or what a verification found.
    public struct Summary: Sendable, Hashable {
        public var cases = 0
        public var ledgerEntries = 0
        public var pendingEvents = 0
        public var deliveredEvents = 0
        public var deadEvents = 0
        public var openQuarantine = 0
        public var blobs = 0
        public var blobBytes = 0
        public var databaseBytes = 0
        /// The last migration the copy has: a daemon of an older release refuses it.
        public var schema = ""
        /// Blobs named by the database but missing from the copy, or whose bytes do not
        /// hash to their name (verification only; a backup that finds one fails).
        public var problems: [String] = []
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Blobs a store still needs: live raw inputs kept as files and attachments of cases.
    static let namedBlobs = """
        SELECT sha256 FROM raw_input WHERE in_blob_store = 1 AND retired_at IS NULL
        UNION SELECT sha256 FROM attachment_ref
        """

    /// Copies the store into `destination` (a new or empty directory) and returns what the
    /// copy holds. Durable when it returns.
    public static func backup(_ database: IntakeDatabase, blobs: BlobStore, to destination: URL) throws -> Summary {
        let manager = FileManager.default
        if manager.fileExists(atPath: destination.path) {
            let contents = try manager.contentsOfDirectory(atPath: destination.path)
            guard contents.isEmpty else {
                throw Failure(description: "\(destination.path) is not empty: a backup goes into a new or empty directory")
            }
        }
        try manager.createDirectory(at: destination, withIntermediateDirectories: true)
        let partial = destination.appendingPathComponent(databaseName + ".partial")
        do {
            // The snapshot: every page as of one read transaction of the live store.
            let copy = try DatabaseQueue(path: partial.path)
            try database.pool.backup(to: copy)
            let named = try copy.read { db in try String.fetchAll(db, sql: namedBlobs) }
            try copy.close()

            let target = try BlobStore(root: destination.appendingPathComponent(blobDirectoryName))
            var missing: [String] = []
            for sha256 in named {
                let source = blobs.url(for: sha256)
                guard manager.fileExists(atPath: source.path) else {
                    missing.append(sha256)
                    continue
                }
                let (copied, _) = try target.putFile(at: source)
                guard copied == sha256 else {
                    throw Failure(description: "blob \(source.path) does not hash to its name (\(copied)): the store's blob directory is damaged")
                }
            }
            if !missing.isEmpty { try settle(missing, copy: partial, live: database) }
            try? manager.removeItem(at: target.root.appendingPathComponent("tmp"))

            guard rename(partial.path, destination.appendingPathComponent(databaseName).path) == 0 else {
                throw Failure(description: "rename \(partial.path): \(String(cString: strerror(errno)))")
            }
            try DurableFile.syncDirectory(destination)
        } catch {
            try? manager.removeItem(at: partial)
            throw error
        }
        return try verify(destination, hashBlobs: false)
    }

    /// Blobs the snapshot names that were gone by the time they were copied: the retention
    /// sweeper retired them in a transaction after the snapshot. The copy is brought to the
    /// same state (the bytes retired); a blob the live store still names is damage.
    static func settle(_ missing: [String], copy: URL, live: IntakeDatabase) throws {
        let stillNamed = try live.pool.read { db in
            try missing.filter { sha in
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM (\(namedBlobs)) WHERE sha256 = ?)", arguments: [sha])!
            }
        }
        if let sha = stillNamed.first {
            throw Failure(description: "blob \(sha) is named by the store but missing from its blob directory (\(stillNamed.count) in all)")
        }
        let queue = try DatabaseQueue(path: copy.path)
        try queue.write { db in
            for sha in missing {
                try db.execute(sql: "UPDATE raw_input SET body = X'', retired_at = ? WHERE sha256 = ? AND in_blob_store = 1",
                               arguments: [Date().timeIntervalSince1970, sha])
                try db.execute(sql: "DELETE FROM attachment_ref WHERE sha256 = ?", arguments: [sha])
            }
        }
        try queue.close()
    }

    /// Checks a copy: SQLite's integrity check, every blob the database names present (and,
    /// with `hashBlobs`, hashing to its name), and what it holds. Opens it read-only.
    public static func verify(_ directory: URL, hashBlobs: Bool = true) throws -> Summary {
        let path = directory.appendingPathComponent(databaseName).path
        guard FileManager.default.fileExists(atPath: path) else {
            let partial = FileManager.default.fileExists(atPath: path + ".partial")
            throw Failure(description: partial
                ? "\(directory.path) holds an unfinished backup (\(databaseName).partial): it was interrupted; take another"
                : "\(directory.path) holds no \(databaseName): not a backup")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        var summary = Summary()
        let named: [String] = try queue.read { db in
            let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            if problems != ["ok"] { summary.problems += problems.map { "integrity: \($0)" } }
            summary.cases = try Int.fetchOne(db, sql: "SELECT count(*) FROM intake_case") ?? 0
            summary.ledgerEntries = try Int.fetchOne(db, sql: "SELECT count(*) FROM intake_ledger") ?? 0
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM outbox GROUP BY state") {
                switch row[0] as String {
                case "pending": summary.pendingEvents = row[1]
                case "delivered": summary.deliveredEvents = row[1]
                case "dead": summary.deadEvents = row[1]
                default: break
                }
            }
            summary.openQuarantine = try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine WHERE resolved_at IS NULL") ?? 0
            summary.schema = try String.fetchOne(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid DESC LIMIT 1") ?? ""
            return try String.fetchAll(db, sql: namedBlobs)
        }
        summary.databaseBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let blobs = BlobStore(existingRoot: directory.appendingPathComponent(blobDirectoryName))
        for sha256 in named {
            let url = blobs.url(for: sha256)
            guard let size = try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int else {
                summary.problems.append("blob \(sha256) is named by the database but missing")
                continue
            }
            if hashBlobs, try BlobStore.digest(of: url) != sha256 {
                summary.problems.append("blob \(sha256) does not hash to its name")
                continue
            }
            summary.blobs += 1
            summary.blobBytes += size
        }
        return summary
    }
}
