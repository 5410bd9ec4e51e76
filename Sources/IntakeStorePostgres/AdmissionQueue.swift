import Synchronization

/// Admissions waiting for the next transaction, and what wakes the loop that commits them
/// (`PostgresStore.commitAdmissions`).
final class AdmissionQueue: Sendable {
    struct Job: Sendable {
        var lockKeys: [Int64]
        var raw: [RawInput]
        var work: @Sendable (PostgresAdmission) async throws -> any Sendable
        var done: @Sendable (Result<any Sendable, any Error>) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var stopped = false
        var transactions = 0
    }

    private let state = Mutex(State())
    let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() {
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a job; false when the loop has stopped.
    func enqueue(_ job: Job) -> Bool {
        guard state.withLock({ state in
            guard !state.stopped else { return false }
            state.jobs.append(job)
            return true
        }) else { return false }
        wake.yield()
        return true
    }

    /// Up to `limit` of the jobs waiting, oldest first.
    func take(_ limit: Int) -> [Job] {
        state.withLock { state in
            let taken = Array(state.jobs.prefix(limit))
            state.jobs.removeFirst(taken.count)
            return taken
        }
    }

    /// Refuses new jobs and returns the ones still waiting.
    func stop() -> [Job] {
        state.withLock { state in
            state.stopped = true
            defer { state.jobs = [] }
            return state.jobs
        }
    }

    var waiting: Int { state.withLock { $0.jobs.count } }

    func countTransaction() { state.withLock { $0.transactions += 1 } }

    var transactions: Int { state.withLock { $0.transactions } }
}
