import Foundation
import GRDB
import IntakeCore

/// What one sweep removed (or, in a dry run, would remove), per kind.
public struct RetentionReport: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Raw input bytes retired (the row, hash and size stay).
        case rawInputs = "raw_inputs"
        case deliveredEvents = "delivered_events"
        /// Answers kept for Idempotency-Key retries, past the raw-input horizon (a retry that
        /// late is still a repeat through the ledger, by its ref).
        case idempotencyKeys = "idempotency_keys"
        case trace
        case resolvedQuarantine = "resolved_quarantine"
        /// Cases behind the deduplication window, out of `dedup_case`.
        case dedupIndex = "dedup_index"
        /// Taken-message rows of a mailbox's earlier UIDVALIDITY.
        case mailboxTaken = "mailbox_taken"
        /// Email acknowledgements sent or given up, queued before the raw-input horizon (they
        /// hold the requester's address); a case is acknowledged only when it is admitted, so
        /// removing its row never lets it be acknowledged again.
        case acknowledgements
        /// Blob files no row names any more: retired hotline files and attachments, and
        /// orphans of commits that failed.
        case blobs
    }

    public struct Removed: Sendable, Hashable {
        public var count = 0
        /// The bytes of the removed data itself (bodies, payloads, details, files), not of
        /// the row overhead around it.
        public var bytes = 0
    }

    public var asOf: Date
    public var dryRun: Bool
    public var removed: [Kind: Removed] = [:]
    /// Bytes given back to the filesystem by `PRAGMA incremental_vacuum`.
    public var vacuumedBytes = 0
    /// False for a store created before incremental vacuum was turned on: freed pages are
    /// reused, but the file does not shrink until it is vacuumed once (see the README).
    public var incrementalVacuum = true

    public subscript(kind: Kind) -> Removed { removed[kind] ?? Removed() }

    mutating func add(_ kind: Kind, count: Int = 1, bytes: Int) {
        removed[kind, default: Removed()].count += count
        removed[kind, default: Removed()].bytes += bytes
    }
}

/// The retention sweeper (`retention:`): removes what is past its horizon in small
/// transactions through the group committer, so intake waits at most one small batch for it.
///
/// Never removed: the ledger (a re-send of an old ref stays a repeat), the case, pending and
/// dead events, the trace of a case with a pending or dead event, the raw bytes of an open
/// quarantine entry, and dedup rows within the deduplication window.
extension IntakeDatabase {
    /// How long a blob no row names is kept before it is removed: a blob is written before
    /// the commit that names it, and a commit can be this far behind on a busy gateway.
    public static let orphanBlobGraceSecs: TimeInterval = 3600

    /// One sweep as of `asOf` (the store's time by default; later to rehearse a policy).
    /// - Parameter dryRun: counts what would go and changes nothing.
    /// - Parameter wallClock: the real time, for blob files' ages (never simulated: a
    ///   rehearsal as of next year must not remove a blob written a second ago).
    /// - Parameter writerShare: at most this share of the writer's time goes to the sweep:
    ///   after a batch that held the writer for t, the sweep waits t × (1 / share − 1)
    ///   before the next. The daemon's sweeper passes a small share, so that a sweep working
    ///   through a large backlog (a store that never swept, a shortened horizon) takes
    ///   longer instead of slowing intake; nil (the CLI, tests) runs the batches back to back.
    /// - Parameter walkBlobs: false leaves the blob directory for a later sweep (walking it
    ///   is most of a sweep that finds little else to do; a daemon sweeping more often than
    ///   the orphan grace period walks it once per period).
    public func sweep(
        _ settings: RetentionSettings, blobs: BlobStore, asOf: Date? = nil, dryRun: Bool = false, batch: Int = 500,
        wallClock: Date = Date(), writerShare: Double? = nil, walkBlobs: Bool = true
    ) async throws -> RetentionReport {
        let asOf = asOf ?? now()
        var report = RetentionReport(asOf: asOf, dryRun: dryRun)
        let rawHorizon = asOf.addingTimeInterval(-Double(settings.rawInputsDays) * 86400)
        let sweep = Sweep(database: self, dryRun: dryRun, batch: batch, now: now(), writerShare: writerShare)
        try await sweep.resolvedQuarantine(before: asOf.addingTimeInterval(-Double(settings.resolvedQuarantineDays) * 86400),
                                           rawHorizon: rawHorizon, into: &report)
        try await sweep.rawInputs(before: rawHorizon, into: &report)
        try await sweep.idempotencyKeys(before: rawHorizon, into: &report)
        try await sweep.deliveredEvents(before: asOf.addingTimeInterval(-Double(settings.deliveredEventsDays) * 86400), into: &report)
        try await sweep.trace(before: asOf.addingTimeInterval(-Double(settings.traceDays) * 86400), into: &report)
        try await sweep.dedupRows(before: asOf.addingTimeInterval(-dedupIndex.retention), into: &report)
        try await sweep.attachmentRefs(before: rawHorizon, into: &report)
        try await sweep.mailboxTaken(into: &report)
        try await sweep.acknowledgements(before: rawHorizon, into: &report)
        if walkBlobs { try await sweep.blobs(blobs, olderThan: wallClock.addingTimeInterval(-Self.orphanBlobGraceSecs), rawHorizon: rawHorizon, into: &report) }
        try await sweep.vacuum(into: &report)
        return report
    }
}

/// The steps of one sweep. Each batch is read and (unless a dry run) written in one job of
/// the group committer; a dry run reads the same batches from a snapshot instead.
private struct Sweep {
    let database: IntakeDatabase
    let dryRun: Bool
    let batch: Int
    /// When the sweep runs (store time): what `retired_at` records.
    let now: Date
    /// See `IntakeDatabase.sweep(…writerShare:)`.
    let writerShare: Double?

    /// Runs one batch: in the writer, or read-only for a dry run (`write` tells the step).
    func run<T: Sendable>(_ work: @escaping @Sendable (Database, _ write: Bool) throws -> T) async throws -> T {
        if dryRun { return try await database.pool.read { db in try work(db, false) } }
        return try await write { db in try work(db, true) }
    }

    /// One job of the group committer, then the pause that keeps the sweep to its share of
    /// the writer's time (measured on the writer: the job's own work, not its wait in line).
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let (result, held) = try await database.committer.perform { db in
            let began = ContinuousClock.now
            let result = try work(db)
            return (result, ContinuousClock.now - began)
        }
        if let writerShare, writerShare > 0, writerShare < 1 {
            try await Task.sleep(for: held * ((1 - writerShare) / writerShare))
        }
        return result
    }

    /// Resolved quarantine entries past their horizon; the raw bytes they kept are retired
    /// too when no open entry needs them and they are past the raw-input horizon.
    func resolvedQuarantine(before horizon: Date, rawHorizon: Date, into report: inout RetentionReport) async throws {
        var after: Int64 = 0
        while true {
            let (last, removed, retired) = try await run { [batch, after, now] db, write in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT id, raw_sha256, length(coalesce(fields, '')) + length(coalesce(text, '')) + length(reason)
                    FROM quarantine WHERE id > ? AND resolved_at IS NOT NULL AND resolved_at < ? ORDER BY id LIMIT ?
                    """, arguments: [after, horizon.timeIntervalSince1970, batch])
                var retired: [(Int64, Int)] = []
                for row in rows {
                    if write { try db.execute(sql: "DELETE FROM quarantine WHERE id = ?", arguments: [row[0] as Int64]) }
                    let sha: String = row[1]
                    // Open entries of the same file still need it (a dry run still sees this row).
                    guard try !Bool.fetchOne(db, sql: """
                        SELECT EXISTS (SELECT 1 FROM quarantine WHERE raw_sha256 = ? AND resolved_at IS NULL)
                        """, arguments: [sha])!
                    else { continue }
                    if let raw = try Row.fetchOne(db, sql: """
                        SELECT rowid, size FROM raw_input WHERE sha256 = ? AND retired_at IS NULL AND received_at < ?
                        """, arguments: [sha, rawHorizon.timeIntervalSince1970]), !retired.contains(where: { $0.0 == raw[0] as Int64 }) {
                        if write { try Self.retire(rowid: raw[0], at: now, in: db) }
                        retired.append((raw[0], raw[1]))
                    }
                }
                return (rows.last.map { $0[0] as Int64 }, rows.map { $0[2] as Int }, retired.map(\.1))
            }
            for bytes in removed { report.add(.resolvedQuarantine, bytes: bytes) }
            for bytes in retired { report.add(.rawInputs, bytes: bytes) }
            guard let last, removed.count == batch else { return }
            after = last
        }
    }

    /// Raw input bytes received before the horizon, in rowid (arrival) order from where the
    /// last sweep stopped. A raw input with quarantine entries is passed over here and
    /// retired when its last entry is removed (`resolvedQuarantine`).
    func rawInputs(before horizon: Date, into report: inout RetentionReport) async throws {
        var cursor = try await database.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT position FROM retention_cursor WHERE kind = 'raw_input'") ?? 0
        }
        while true {
            let (position, sizes, done) = try await run { [batch, cursor, now] db, write in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT rowid, sha256, size, received_at, retired_at IS NOT NULL FROM raw_input WHERE rowid > ? ORDER BY rowid LIMIT ?
                    """, arguments: [cursor, batch])
                var position = cursor
                var sizes: [Int] = []
                var done = rows.count < batch
                for row in rows {
                    if (row[3] as Double) >= horizon.timeIntervalSince1970 {
                        done = true
                        break
                    }
                    position = row[0]
                    if row[4] as Bool { continue }
                    // Quarantined input is retired with its last entry (`resolvedQuarantine`).
                    let quarantined = try Bool.fetchOne(db, sql: """
                        SELECT EXISTS (SELECT 1 FROM quarantine WHERE raw_sha256 = ?)
                        """, arguments: [row[1] as String])!
                    if quarantined { continue }
                    if write { try Self.retire(rowid: row[0], at: now, in: db) }
                    sizes.append(row[2])
                }
                if write {
                    try db.execute(sql: """
                        INSERT INTO retention_cursor (kind, position) VALUES ('raw_input', ?)
                        ON CONFLICT (kind) DO UPDATE SET position = excluded.position
                        """, arguments: [position])
                }
                return (position, sizes, done)
            }
            for bytes in sizes { report.add(.rawInputs, bytes: bytes) }
            cursor = position
            if done { return }
        }
    }

    /// Empties a raw input's body and marks it retired; a body in the blob store is left to
    /// the blob step, which removes the file once no row names it.
    static func retire(rowid: Int64, at now: Date, in db: Database) throws {
        try db.execute(sql: "UPDATE raw_input SET body = X'', retired_at = ? WHERE rowid = ?", arguments: [now.timeIntervalSince1970, rowid])
    }

    /// Stored answers to Idempotency-Key requests older than the horizon, oldest first.
    func idempotencyKeys(before horizon: Date, into report: inout RetentionReport) async throws {
        var after = -Double.infinity
        while true {
            let rows = try await run { [batch, after] db, write in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT channel, source, key, created_at, length(key) + length(request_sha256) + length(response)
                    FROM idempotency_key WHERE created_at < ? AND created_at >= ? ORDER BY created_at LIMIT ?
                    """, arguments: [horizon.timeIntervalSince1970, after, batch])
                if write {
                    for row in rows {
                        try db.execute(sql: "DELETE FROM idempotency_key WHERE channel = ? AND source = ? AND key = ?",
                                       arguments: [row[0] as String, row[1] as String, row[2] as String])
                    }
                }
                return rows.map { (created: $0[3] as Double, bytes: $0[4] as Int) }
            }
            for row in rows { report.add(.idempotencyKeys, bytes: row.bytes) }
            guard rows.count == batch, let last = rows.last else { return }
            if dryRun { after = last.created.nextUp }
        }
    }

    /// Delivered events finished before the horizon (pending and dead ones always stay).
    func deliveredEvents(before horizon: Date, into report: inout RetentionReport) async throws {
        var after = -Double.infinity
        while true {
            let rows = try await run { [batch, after] db, write in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT id, finished_at, coalesce(length(payload), 0) + length(idempotency_key) + coalesce(length(last_error), 0)
                    FROM outbox WHERE state = 'delivered' AND finished_at < ? AND finished_at >= ? ORDER BY finished_at, id LIMIT ?
                    """, arguments: [horizon.timeIntervalSince1970, after, batch])
                if write {
                    for row in rows { try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [row[0] as Int64]) }
                }
                return rows.map { (finished: $0[1] as Double, bytes: $0[2] as Int) }
            }
            for row in rows { report.add(.deliveredEvents, bytes: row.bytes) }
            // A dry run reads the same rows again unless it moves past them (ties included:
            // rows finished at the same instant as the batch's last are few, and read twice at worst).
            guard rows.count == batch, let last = rows.last else { return }
            if dryRun { after = last.finished.nextUp }
        }
    }

    /// Trace rows older than the horizon, in id (time) order, except those of a case with a
    /// pending or dead event: its delivery attempts are what `intake dead show` explains.
    func trace(before horizon: Date, into report: inout RetentionReport) async throws {
        var after: Int64 = 0
        while true {
            let (last, sizes, done) = try await run { [batch, after] db, write in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT id, at, case_id, length(step) + coalesce(length(detail), 0) FROM trace WHERE id > ? ORDER BY id LIMIT ?
                    """, arguments: [after, batch])
                var owed: [String: Bool] = [:]
                var last = after
                var sizes: [Int] = []
                var done = rows.count < batch
                for row in rows {
                    if (row[1] as Double) >= horizon.timeIntervalSince1970 {
                        done = true
                        break
                    }
                    last = row[0]
                    if let caseID = row[2] as String? {
                        let isOwed = try owed[caseID] ?? Bool.fetchOne(db, sql: """
                            SELECT EXISTS (SELECT 1 FROM outbox WHERE case_id = ? AND state IN ('pending', 'dead'))
                            """, arguments: [caseID])!
                        owed[caseID] = isOwed
                        if isOwed { continue }
                    }
                    if write { try db.execute(sql: "DELETE FROM trace WHERE id = ?", arguments: [row[0] as Int64]) }
                    sizes.append(row[3])
                }
                return (last, sizes, done)
            }
            for bytes in sizes { report.add(.trace, bytes: bytes) }
            after = last
            if done { return }
        }
    }

    /// Dedup rows of cases received before the window (and its margin): no later case can
    /// be compared with them. Case ids are UUIDv7, so "received before" is an id range.
    func dedupRows(before horizon: Date, into report: inout RetentionReport) async throws {
        let bound = UUIDv7.lowerBound(at: horizon)
        let index = database.dedupIndex
        var after = ""
        while true {
            let rows = try await run { [batch, after] db, write in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT seq, case_id, length(keys) + length(signature) FROM dedup_case WHERE case_id > ? AND case_id < ? ORDER BY case_id LIMIT ?
                    """, arguments: [after, bound, batch])
                if write {
                    for row in rows {
                        try db.execute(sql: "DELETE FROM dedup_case WHERE seq = ?", arguments: [row[0] as Int64])
                        index.forget(row[0])
                    }
                }
                return rows.map { (id: $0[1] as String, bytes: $0[2] as Int) }
            }
            for row in rows { report.add(.dedupIndex, bytes: row.bytes) }
            guard rows.count == batch, let last = rows.last else { return }
            after = last.id
        }
    }

    /// Attachment references of cases received before the raw-input horizon: their blobs
    /// go (in `blobs`) unless a newer case names the same bytes.
    func attachmentRefs(before horizon: Date, into report: inout RetentionReport) async throws {
        guard !dryRun else { return }  // a dry run judges blobs by the horizon directly
        let bound = UUIDv7.lowerBound(at: horizon)
        _ = try await run { db, _ in
            try db.execute(sql: "DELETE FROM attachment_ref WHERE case_id < ?", arguments: [bound])
        }
    }

    /// Taken-message rows of a mailbox's earlier UIDVALIDITY: those UIDs name nothing now.
    func mailboxTaken(into report: inout RetentionReport) async throws {
        let count = try await run { db, write in
            let stale = """
                NOT EXISTS (SELECT 1 FROM mailbox_checkpoint c WHERE c.source = mailbox_taken.source
                            AND c.mailbox = mailbox_taken.mailbox AND c.uid_validity = mailbox_taken.uid_validity)
                """
            if write {
                try db.execute(sql: "DELETE FROM mailbox_taken WHERE \(stale)")
                return db.changesCount
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM mailbox_taken WHERE \(stale)") ?? 0
        }
        if count > 0 { report.add(.mailboxTaken, count: count, bytes: count * 16) }
    }

    /// Acknowledgements no longer pending, queued before the horizon.
    func acknowledgements(before horizon: Date, into report: inout RetentionReport) async throws {
        let (count, bytes) = try await run { db, write in
            let old = "status != 'pending' AND queued_at < \(horizon.timeIntervalSince1970)"
            let bytes = try Int.fetchOne(db, sql: "SELECT coalesce(sum(length(recipient) + length(coalesce(in_reply_to, ''))), 0) FROM acknowledgement WHERE \(old)") ?? 0
            if write {
                try db.execute(sql: "DELETE FROM acknowledgement WHERE \(old)")
                return (db.changesCount, bytes)
            }
            return (try Int.fetchOne(db, sql: "SELECT count(*) FROM acknowledgement WHERE \(old)") ?? 0, bytes)
        }
        if count > 0 { report.add(.acknowledgements, count: count, bytes: bytes) }
    }

    /// Blob files no live row names, older than the grace period: retired hotline and visit
    /// files, attachments of cases past the horizon, orphans of failed commits, and
    /// temporary files left by a crash.
    func blobs(_ store: BlobStore, olderThan cutoff: Date, rawHorizon: Date, into report: inout RetentionReport) async throws {
        let candidates = store.files().filter { $0.modified < cutoff }
        // "Named" as the sweep leaves the rows, so that a dry run (which changed nothing)
        // counts the same files as the sweep would remove.
        let horizon = rawHorizon.timeIntervalSince1970
        let bound = UUIDv7.lowerBound(at: rawHorizon)
        for start in stride(from: 0, to: candidates.count, by: batch) {
            let chunk = Array(candidates[start..<min(start + batch, candidates.count)])
            let named = try await database.pool.read { db in
                try chunk.map { file -> Bool in
                    guard let sha = file.sha256 else { return false }
                    return try Bool.fetchOne(db, sql: """
                        SELECT EXISTS (
                                SELECT 1 FROM raw_input WHERE sha256 = ?1 AND in_blob_store = 1 AND retired_at IS NULL
                                AND (received_at >= ?2 OR EXISTS (SELECT 1 FROM quarantine WHERE raw_sha256 = ?1 AND resolved_at IS NULL)))
                            OR EXISTS (SELECT 1 FROM attachment_ref WHERE sha256 = ?1 AND case_id >= ?3)
                        """, arguments: [sha, horizon, bound])!
                }
            }
            for (file, isNamed) in zip(chunk, named) where !isNamed {
                if !dryRun {
                    // Touched since it was listed (put again by a commit in flight): keep it.
                    let modified = (try? file.url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate
                    guard let modified, modified < cutoff else { continue }
                    guard unlink(file.url.path) == 0 else { continue }
                }
                report.add(.blobs, bytes: file.size)
            }
        }
    }

    /// Gives freed pages back to the filesystem, a few thousand at a time.
    func vacuum(into report: inout RetentionReport) async throws {
        let (mode, pageSize) = try await database.pool.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") ?? 0, try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096)
        }
        report.incrementalVacuum = mode == 2
        guard mode == 2, !dryRun else { return }
        while true {
            let freed = try await write { db -> Int in
                let before = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                guard before > 0 else { return 0 }
                try db.execute(sql: "PRAGMA incremental_vacuum(500)")
                return before - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
            }
            report.vacuumedBytes += freed * pageSize
            if freed == 0 { return }
        }
    }
}
