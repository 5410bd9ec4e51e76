import Foundation
import IntakeCore
import IntakeStore
import PostgresNIO

/// Events one forwarder has claimed from the shared outbox: a lease until `expiresAt` (the
/// database's clock). Only the holder of the claim's token records their outcomes.
public struct OutboxClaim: Sendable {
    public let token: UUID
    public let events: [OutboxEvent]
}

/// The outbox every gateway's forwarder drains.
extension PostgresStore {
    /// Claims up to `limit` due events for this gateway, oldest first, at most the oldest
    /// undelivered one of each case: an event waits while an earlier event of its case is
    /// pending (claimed by anyone, or backing off) or dead, so that a case's events are
    /// delivered in order whichever gateways deliver them. Rows another forwarder is claiming
    /// at this moment are skipped (`FOR UPDATE SKIP LOCKED`), rows it has claimed are left
    /// until its lease of `leaseSecs` expires (it died, or hangs).
    public func claimDueEvents(limit: Int, leaseSecs: Double = 60) async throws -> OutboxClaim {
        let token = UUID()
        let node = configuration.node
        let now = clock()
        let lease = leaseSecs
        let rows = try await client.query("""
            WITH due AS (
                SELECT o.id FROM outbox o
                WHERE o.state = 'pending' AND o.next_attempt_at <= \(now)
                  AND (o.claim_expires_at IS NULL OR o.claim_expires_at <= now())
                  AND NOT EXISTS (
                      SELECT 1 FROM outbox p WHERE p.case_id = o.case_id AND p.id < o.id AND p.state IN ('pending', 'dead'))
                ORDER BY o.id LIMIT \(Int64(limit))
                FOR UPDATE SKIP LOCKED
            )
            UPDATE outbox o SET claimed_by = \(node), claim_token = \(token), claim_expires_at = now() + make_interval(secs => \(lease))
            FROM due WHERE o.id = due.id
            RETURNING o.id, o.case_id, o.event, o.idempotency_key, o.payload, o.emitted_at, o.attempts, o.queued_at, o.replayed_at,
                      (SELECT c.document FROM intake_case c WHERE c.id = o.case_id)
            """, logger: logger)
        var events: [OutboxEvent] = []
        for try await (id, caseID, event, key, payload, emittedAt, attempts, queuedAt, replayedAt, document)
            in rows.decode((Int64, String, String, String, Data?, String?, Int32, Date, Date?, String).self)
        {
            let envelope: Data
            if let payload {
                envelope = payload
            } else if let kind = CaseEvent.Kind(rawValue: event), let emittedAt {
                envelope = CaseEvent.envelope(event: kind, idempotencyKey: key, emittedAt: emittedAt, caseJSON: Data(document.utf8))
            } else {
                throw PostgresStoreError.unreadableEvent(id: id, reason: "event \(event) without a payload")
            }
            events.append(OutboxEvent(
                id: id, caseID: caseID, event: event, idempotencyKey: key, payload: envelope, attempts: Int(attempts),
                queuedAt: queuedAt, replayedAt: replayedAt))
        }
        events.sort { $0.id < $1.id }
        return OutboxClaim(token: token, events: events)
    }

    /// Records the outcomes of one round of a claim, with their trace steps, in one
    /// transaction, and ends the claim of those events. An event whose claim was lost (its
    /// lease expired and another forwarder claimed it) is not recorded here; the new holder
    /// records it. Returns the ids recorded.
    @discardableResult
    public func record(
        _ results: [(event: OutboxEvent, result: IntakeDatabase.AttemptResult)], claim: OutboxClaim, sink: String
    ) async throws -> [Int64] {
        let now = clock()
        let node = configuration.node
        let logger = self.logger
        return try await transaction { connection in
            var recorded: [Int64] = []
            for (event, result) in results {
                let attempt = Int32(event.attempts + 1)
                var detail: [String: JSONValue] = [
                    "sink": .string(sink), "attempt": .number(Double(attempt)), "idempotency_key": .string(event.idempotencyKey),
                    "node": .string(node),
                ]
                let rows: PostgresRowSequence
                switch result {
                case .delivered(let info):
                    rows = try await connection.query("""
                        UPDATE outbox SET state = 'delivered', attempts = \(attempt), finished_at = \(now), last_error = NULL,
                            claimed_by = NULL, claim_token = NULL, claim_expires_at = NULL
                        WHERE id = \(event.id) AND claim_token = \(claim.token) AND state = 'pending' RETURNING id
                        """, logger: logger)
                    detail["result"] = .string(info)
                case .retryAt(let date, let reason):
                    rows = try await connection.query("""
                        UPDATE outbox SET attempts = \(attempt), next_attempt_at = \(date), last_error = \(reason),
                            claimed_by = NULL, claim_token = NULL, claim_expires_at = NULL
                        WHERE id = \(event.id) AND claim_token = \(claim.token) AND state = 'pending' RETURNING id
                        """, logger: logger)
                    detail["error"] = .string(reason)
                    detail["retry_at"] = .number(date.timeIntervalSince1970)
                case .deadLetter(let reason):
                    rows = try await connection.query("""
                        UPDATE outbox SET state = 'dead', attempts = \(attempt), finished_at = \(now), last_error = \(reason),
                            claimed_by = NULL, claim_token = NULL, claim_expires_at = NULL
                        WHERE id = \(event.id) AND claim_token = \(claim.token) AND state = 'pending' RETURNING id
                        """, logger: logger)
                    detail["error"] = .string(reason)
                }
                var mine = false
                for try await _ in rows { mine = true }
                guard mine else { continue }
                recorded.append(event.id)
                let step = TraceStep(result.traceStep, caseID: event.caseID, detail: detail)
                try await PostgresAdmission(connection: connection, now: now, node: node, logger: logger).trace([step])
            }
            return recorded
        }
    }

    /// Outbox counts by state, for status lines and tests.
    public func outboxCounts() async throws -> (pending: Int, delivered: Int, dead: Int) {
        var counts = (pending: 0, delivered: 0, dead: 0)
        let query: PostgresQuery = "SELECT state, count(*) FROM outbox GROUP BY state"
        for try await (state, count) in try await client.query(query, logger: logger).decode((String, Int64).self) {
            switch state {
            case "pending": counts.pending = Int(count)
            case "delivered": counts.delivered = Int(count)
            case "dead": counts.dead = Int(count)
            default: break
            }
        }
        return counts
    }
}
