import Foundation
import GRDB
import IntakeCore
import IntakePipeline
import Logging

/// The gateway's store: the only code that talks SQL, and the only writer.
///
/// SQLite in WAL mode with `synchronous = FULL`, so a commit is on disk when it returns.
/// A busy timeout lets the admin CLI, a second process, read and write beside the daemon.
public final class IntakeDatabase: Sendable {
    let pool: DatabasePool
    let committer: GroupCommitter
    /// LSH bands and identity keys of the cases within the dedup window, in memory.
    let dedupIndex: DedupIndex
    /// The store's time: when an input is received, a step traced, an event queued. The
    /// wall clock, except in tests and benchmarks that fill a store across simulated days.
    public let clock: @Sendable () -> Date

    /// - Parameter cacheMiB: SQLite's page cache per connection; it is most of the process's
    ///   memory once the store is larger than it.
    /// - Parameter mmapMiB: how much of the file SQLite reads through a memory map instead of
    ///   read(2) into its cache (`PRAGMA mmap_size`); 0 turns it off.
    /// - Parameter dedupRetentionSecs: how long after it was received a case stays in the
    ///   in-memory dedup index (the dedup window and a margin).
    /// - Parameter clock: the store's time (see `clock`).
    public init(
        path: String, busyTimeoutSecs: Double = 10, cacheMiB: Int = 16, mmapMiB: Int = 0, dedupRetentionSecs: Double = 31 * 86400,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.clock = clock
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeoutSecs)
        configuration.foreignKeysEnabled = true
        configuration.maximumReaderCount = 3
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Savepoint journals (every group-commit job runs in one) and temporary B-trees in
            // memory: in files they were written and deleted again for every job.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // The writer touches the same index pages again and again: keep them in memory.
            // Readers (dedup candidates, the outbox) read few pages each: a quarter of that,
            // so that memory does not grow by a full cache per reader connection.
            let cache = db.configuration.readonly ? max(1, cacheMiB / 4) : cacheMiB
            try db.execute(sql: "PRAGMA cache_size = -\(cache * 1024)")
            try db.execute(sql: "PRAGMA mmap_size = \(mmapMiB << 20)")
            // The WAL is cut back to 64 MiB after a checkpoint instead of keeping its
            // largest size for ever (a full disk needs that room back to recover).
            try db.execute(sql: "PRAGMA journal_size_limit = \(64 << 20)")
        }
        // A new store gives the pages its sweeper frees back to the filesystem
        // (`PRAGMA incremental_vacuum` after each sweep). SQLite takes this only before the
        // first table exists; an older store keeps its setting (see `RetentionReport`).
        configuration.prepareDatabase { db in
            if !db.configuration.readonly, try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") == 0 {
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            }
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Migrations.migrator.migrate(pool)
        let index = DedupIndex(retention: dedupRetentionSecs)
        try Self.rebuild(index, from: pool, retentionSecs: dedupRetentionSecs, now: clock())
        dedupIndex = index
        committer = GroupCommitter(writer: pool, hooks: GroupCommitter.Hooks(
            beforeJob: { index.pendingMark },
            jobRolledBack: { index.discardPending(to: $0) },
            committed: { index.markCommitted() },
            failed: {
                index.discardPending(to: 0)
                index.markCommitted()
            }))
    }

    /// Runs intake work in the next group commit. Returns after the transaction is durable;
    /// if `work` throws, nothing it wrote is kept and the error is rethrown.
    public func intake<T: Sendable>(_ work: @escaping @Sendable (IntakeTransaction) throws -> T) async throws -> T {
        let index = dedupIndex
        let clock = self.clock
        return try await committer.perform { db in try work(IntakeTransaction(db: db, now: clock(), dedupIndex: index)) }
    }

    /// Records a step that belongs to no case (a refused request), in the next group commit.
    public func trace(_ step: TraceStep) async throws {
        try await intake { transaction in try transaction.trace(step) }
    }

    /// The store's time now.
    public func now() -> Date { clock() }

    /// True when the database answers a read.
    public func isReadable() -> Bool {
        (try? pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    /// Stops the group-commit thread after the work already queued.
    public func close() {
        committer.stop()
    }

    deinit {
        committer.stop()
    }
}

/// One step of an input's or a case's life, as `intake trace` shows it.
public struct TraceStep: Sendable, Hashable {
    public var step: String
    public var at: Date?
    public var channel: Channel?
    public var source: String?
    public var ref: String?
    public var caseID: String?
    public var rawSHA256: String?
    public var actor: String?
    public var detail: [String: JSONValue]

    public init(
        _ step: String, at: Date? = nil, channel: Channel? = nil, source: String? = nil, ref: String? = nil,
        caseID: String? = nil, rawSHA256: String? = nil, actor: String? = nil, detail: [String: JSONValue] = [:]
    ) {
        self.step = step
        self.at = at
        self.channel = channel
        self.source = source
        self.ref = ref
        self.caseID = caseID
        self.rawSHA256 = rawSHA256
        self.actor = actor
        self.detail = detail
    }
}
