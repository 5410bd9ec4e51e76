import Foundation
import GRDB
import IntakeCore

extension IntakeDatabase {
    /// Pending events that are due, oldest first, at most one per case: an event waits
    /// while an earlier event of its case is still pending (backing off) or dead, which keeps
    /// per-case order across retries and dead letters; a replay of the dead letter releases
    /// the events behind it, in order.
    public func dueEvents(now: Date = Date(), limit: Int) async throws -> [OutboxEvent] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT o.id, o.case_id, o.event, o.idempotency_key, \(Self.payloadSQL), o.attempts, o.queued_at, o.replayed_at
                FROM outbox o JOIN intake_case c ON c.id = o.case_id
                WHERE o.state = 'pending' AND o.next_attempt_at <= ?
                  AND NOT EXISTS (
                      SELECT 1 FROM outbox p WHERE p.case_id = o.case_id AND p.id < o.id AND p.state IN ('pending', 'dead'))
                ORDER BY o.id LIMIT ?
                """), arguments: [now.timeIntervalSince1970, limit]
            ).map { row in
                OutboxEvent(
                    id: row[0], caseID: row[1], event: row[2], idempotencyKey: row[3], payload: row[4], attempts: row[5],
                    queuedAt: Date(timeIntervalSince1970: row[6]), replayedAt: (row[7] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// A decided outcome for one attempt: the retry policy has already turned a `retry` past
    /// its limits into `deadLetter`.
    public enum AttemptResult: Sendable, Hashable {
        case delivered(detail: String)
        case retryAt(Date, reason: String)
        case deadLetter(reason: String)

        /// Its trace step: the one name of each outcome in the trace.
        public var traceStep: String {
            switch self {
            case .delivered: "delivered"
            case .retryAt: "delivery_failed"
            case .deadLetter: "dead_lettered"
            }
        }

        /// Its `outcome` label in `intake_delivery_attempts_total`.
        public var metricOutcome: String {
            switch self {
            case .delivered: "delivered"
            case .retryAt: "retry"
            case .deadLetter: "dead_letter"
            }
        }
    }

    /// Records the outcomes of one round of attempts, with their trace steps, in the next
    /// group commit.
    public func record(_ results: [(event: OutboxEvent, result: AttemptResult)], sink: String, now: Date = Date()) async throws {
        try await intake { transaction in
            let db = transaction.db
            var steps: [TraceStep] = []
            steps.reserveCapacity(results.count)
            for (event, result) in results {
                let attempt = event.attempts + 1
                var detail: [String: JSONValue] = [
                    "sink": .string(sink), "attempt": .number(Double(attempt)), "idempotency_key": .string(event.idempotencyKey),
                ]
                switch result {
                case .delivered(let info):
                    try db.cachedStatement(sql: """
                        UPDATE outbox SET state = 'delivered', attempts = ?, finished_at = ?, last_error = NULL WHERE id = ?
                        """).execute(arguments: [attempt, now.timeIntervalSince1970, event.id])
                    detail["result"] = .string(info)
                case .retryAt(let date, let reason):
                    try db.cachedStatement(sql: """
                        UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?
                        """).execute(arguments: [attempt, date.timeIntervalSince1970, reason, event.id])
                    detail["error"] = .string(reason)
                    detail["retry_at"] = .number(date.timeIntervalSince1970)
                case .deadLetter(let reason):
                    try db.cachedStatement(sql: """
                        UPDATE outbox SET state = 'dead', attempts = ?, finished_at = ?, last_error = ? WHERE id = ?
                        """).execute(arguments: [attempt, now.timeIntervalSince1970, reason, event.id])
                    detail["error"] = .string(reason)
                }
                steps.append(TraceStep(result.traceStep, caseID: event.caseID, detail: detail))
            }
            // A round's steps in a few multi-row inserts, not one statement each.
            for start in stride(from: 0, to: steps.count, by: 500) {
                try transaction.trace(Array(steps[start..<min(start + 500, steps.count)]))
            }
            let delivered = results.contains { if case .delivered = $0.result { true } else { false } }
            let lastError = results.lazy.compactMap { result -> String? in
                switch result.result {
                case .delivered: nil
                case .retryAt(_, let reason), .deadLetter(let reason): reason
                }
            }.first
            try db.execute(sql: """
                INSERT INTO sink_activity (sink, last_delivered_at, last_failed_at, last_error) VALUES (?, ?, ?, ?)
                ON CONFLICT (sink) DO UPDATE SET
                    last_delivered_at = coalesce(excluded.last_delivered_at, last_delivered_at),
                    last_failed_at = coalesce(excluded.last_failed_at, last_failed_at),
                    last_error = coalesce(excluded.last_error, last_error)
                """, arguments: [sink, delivered ? now.timeIntervalSince1970 : nil, lastError == nil ? nil : now.timeIntervalSince1970, lastError])
        }
    }

    /// Pending events and dead letters, for the gauges: two small partial-index counts.
    public func outboxGauges() throws -> (pending: Int, dead: Int) {
        try pool.read { db in
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE state = 'pending'") ?? 0
            let dead = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE state = 'dead' AND finished_at IS NOT NULL") ?? 0
            return (pending, dead)
        }
    }

    /// Outbox counts by state, for status lines and metrics; each count reads its own index.
    public func outboxCounts() throws -> (pending: Int, delivered: Int, dead: Int) {
        try pool.read { db in
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE state = 'pending'") ?? 0
            let delivered = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE state = 'delivered' AND finished_at IS NOT NULL") ?? 0
            let dead = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE state = 'dead' AND finished_at IS NOT NULL") ?? 0
            return (pending, delivered, dead)
        }
    }
}
