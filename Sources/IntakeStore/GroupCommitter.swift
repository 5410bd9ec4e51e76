import Foundation
import GRDB
import Metrics

/// Group commit: concurrent intake work is gathered into one SQLite transaction, so a burst of
/// requests pays for one fsync instead of one each. Every job runs in its own savepoint (a
/// failing job does not spoil its neighbours) and nobody hears "done" before the commit.
///
/// A dedicated thread does the writing: SQLite blocks, and blocking the concurrency pool's
/// few threads would stall every request.
final class GroupCommitter: @unchecked Sendable {
    private struct Job {
        let run: (Database) throws -> Void
        let finish: (Error?) -> Void
    }

    private let writer: DatabasePool
    private let maxBatch: Int
    /// Told, on the writer thread, where each job starts, when a job is rolled back, and how
    /// each transaction ended (before anyone hears "done"): the dedup index keeps what it
    /// learnt from a job only once the job's work is committed.
    struct Hooks: Sendable {
        var beforeJob: @Sendable () -> Int = { 0 }
        var jobRolledBack: @Sendable (Int) -> Void = { _ in }
        var committed: @Sendable () -> Void = {}
        var failed: @Sendable () -> Void = {}
    }

    private let hooks: Hooks
    private let batchSizes = Recorder(label: "intake_group_commit_batch_size", aggregate: true)
    private let commitDuration = Metrics.Timer(label: "intake_group_commit_duration")
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [Job] = []
    private var stopped = false
    /// Jobs in the last commit (written and read by the writer thread only).
    private var lastBatchSize = 0

    /// While fewer than `fullBatch` jobs wait and several producers are at work, the writer
    /// waits up to `gatherSecs` for more:
    /// every commit rewrites the last page of each table and index it touches, so ten jobs
    /// a commit write a tenth of those pages each, and a busy gateway gains more than the
    /// wait costs it.
    private let fullBatch: Int
    private let gatherSecs: Double

    init(
        writer: DatabasePool, maxBatch: Int = 1024, fullBatch: Int = 64, gatherSecs: Double = 0.001,
        hooks: Hooks = Hooks()
    ) {
        self.writer = writer
        self.maxBatch = maxBatch
        self.fullBatch = fullBatch
        self.gatherSecs = gatherSecs
        self.hooks = hooks
        // The thread keeps the committer alive until `stop()`.
        let thread = Thread { self.loop() }
        thread.name = "intake-group-commit"
        thread.start()
    }

    /// Runs `work` inside the next group transaction; returns its value once committed.
    func perform<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let box = ResultBox<T>()
            let job = Job(
                run: { db in box.value = try work(db) },
                finish: { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: box.value!) }
                })
            condition.lock()
            if stopped {
                condition.unlock()
                continuation.resume(throwing: StoreError.closed)
                return
            }
            pending.append(job)
            condition.signal()
            condition.unlock()
        }
    }

    /// Finishes the jobs already queued, then stops the thread.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty, !stopped { condition.wait() }
            if pending.isEmpty, stopped { condition.unlock(); return }
            // Only while jobs come from several producers at once (the last commit, or this
            // one, had company): a single producer waiting on each commit (a mailbox taken
            // message by message) would only be slowed by the wait.
            if gatherSecs > 0, pending.count < fullBatch, pending.count > 1 || lastBatchSize > 1, !stopped {
                let deadline = Date(timeIntervalSinceNow: gatherSecs)
                while pending.count < fullBatch, !stopped, condition.wait(until: deadline) {}
            }
            let batch = Array(pending.prefix(maxBatch))
            lastBatchSize = batch.count
            pending.removeFirst(batch.count)
            condition.unlock()
            commit(batch)
        }
    }

    private func commit(_ batch: [Job]) {
        batchSizes.record(batch.count)
        let started = DispatchTime.now().uptimeNanoseconds
        defer { commitDuration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started)) }
        var failures = [Error?](repeating: nil, count: batch.count)
        do {
            try writer.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    for (index, job) in batch.enumerated() {
                        let mark = hooks.beforeJob()
                        do {
                            try db.inSavepoint {
                                try job.run(db)
                                return .commit
                            }
                        } catch {
                            hooks.jobRolledBack(mark)
                            failures[index] = error
                        }
                    }
                    return .commit
                }
            }
        } catch {
            hooks.failed()
            for job in batch { job.finish(StoreError.unavailable(String(describing: error))) }
            return
        }
        hooks.committed()
        for (job, failure) in zip(batch, failures) { job.finish(failure) }
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
