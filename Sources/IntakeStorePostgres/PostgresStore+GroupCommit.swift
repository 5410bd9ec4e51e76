import Foundation
import PostgresNIO

/// Group commit: admissions that arrive while a transaction runs go together into the next
/// one, each in a savepoint of its own, so that one that fails spoils none of the others.
/// Every caller is answered after the COMMIT: accepted means committed.
extension PostgresStore {
    /// At most this many admissions share one transaction.
    static let maximumJobsPerTransaction = 64

    /// Runs `work` in the next group transaction, after the locks of `lockKeys` are held (with
    /// those of the other admissions in it, in one sorted order) and `raw` is stored.
    func submit<Value: Sendable>(
        lockKeys: [Int64], raw: [RawInput], _ work: @escaping @Sendable (PostgresAdmission) async throws -> Value
    ) async throws -> Value {
        let result: any Sendable = try await withCheckedThrowingContinuation { continuation in
            let job = AdmissionQueue.Job(
                lockKeys: lockKeys, raw: raw, work: { try await work($0) }, done: { continuation.resume(with: $0) })
            if !admissions.enqueue(job) { continuation.resume(throwing: CancellationError()) }
        }
        guard let value = result as? Value else { preconditionFailure("a group-commit job returned \(type(of: result)), not \(Value.self)") }
        return value
    }

    /// Group transactions committed so far (tests, metrics).
    public var groupTransactions: Int { admissions.transactions }

    /// Admissions waiting for a transaction.
    public var waitingAdmissions: Int { admissions.waiting }

    /// Commits queued admissions until cancelled; those still waiting then get `CancellationError`.
    func commitAdmissions() async {
        for await _ in admissions.wakeups {
            while true {
                let jobs = admissions.take(Self.maximumJobsPerTransaction)
                if jobs.isEmpty { break }
                await commit(jobs)
            }
        }
        for job in admissions.stop() { job.done(.failure(CancellationError())) }
    }

    private func commit(_ jobs: [AdmissionQueue.Job]) async {
        let now = clock()
        let node = configuration.node
        let logger = self.logger
        do {
            let results = try await transaction { connection -> [Result<any Sendable, any Error>] in
                let admission = PostgresAdmission(connection: connection, now: now, node: node, logger: logger)
                try await admission.lock(Set(jobs.flatMap(\.lockKeys)).sorted())
                for input in Set(jobs.flatMap(\.raw)).sorted(by: { $0.sha256 < $1.sha256 }) { try await admission.store(input) }
                var results: [Result<any Sendable, any Error>] = []
                for job in jobs {
                    try await connection.query("SAVEPOINT admission", logger: logger)
                    do {
                        results.append(.success(try await job.work(admission)))
                        try await connection.query("RELEASE SAVEPOINT admission", logger: logger)
                    } catch {
                        // If the connection itself failed, this throws too and the whole transaction fails.
                        try await connection.query("ROLLBACK TO SAVEPOINT admission", logger: logger)
                        results.append(.failure(error))
                    }
                }
                return results
            }
            admissions.countTransaction()
            for (job, result) in zip(jobs, results) { job.done(result) }
        } catch {
            logger.warning("admission transaction failed", metadata: ["intake.admissions": "\(jobs.count)", "error": "\(String(reflecting: error))"])
            for job in jobs { job.done(.failure(error)) }
        }
    }
}
