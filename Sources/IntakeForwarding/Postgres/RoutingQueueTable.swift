import Foundation
import IntakeStore
import PostgresNIO

/// The SQL the `postgres` sink runs against the routing-queue table (`deploy/routing_queue.sql`).
/// The table name is validated before it gets here; every value is a bind parameter.
struct RoutingQueueTable: Sendable {
    let name: String

    init(name: String) throws(PostgresSinkConfigurationError) {
        guard PostgresSinkConfiguration.isValidTableName(name) else { throw .invalidTableName(name) }
        self.name = name
    }

    /// Is the table there? (`to_regclass` is NULL for a missing table and needs no privilege on it.)
    var existsQuery: PostgresQuery {
        var binds = PostgresBindings()
        binds.append(name)
        return PostgresQuery(unsafeSQL: "SELECT to_regclass($1)::text", binds: binds)
    }

    /// The DDL of `deploy/routing_queue.sql`, one statement each (the extended protocol runs one at a time).
    var createStatements: [PostgresQuery] {
        [
            PostgresQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS \(name) (
                    id              bigserial   PRIMARY KEY,
                    idempotency_key text        NOT NULL UNIQUE,
                    event           text        NOT NULL,
                    case_id         text        NOT NULL,
                    payload         jsonb       NOT NULL,
                    enqueued_at     timestamptz NOT NULL DEFAULT now(),
                    taken_at        timestamptz,
                    taken_by        text
                )
                """),
            PostgresQuery(unsafeSQL: "CREATE INDEX IF NOT EXISTS \(name)_waiting ON \(name) (id) WHERE taken_at IS NULL"),
        ]
    }

    /// Inserts the events in one statement, in their order, skipping keys already queued;
    /// returns `(idempotency_key, id)` of the rows it added. Four array parameters whatever
    /// the number of events; the payload text becomes jsonb in the server, which refuses
    /// anything that is not JSON (SQLSTATE 22P02).
    func insertQuery(_ events: [OutboxEvent]) throws(PayloadError) -> PostgresQuery {
        var payloads: [String] = []
        payloads.reserveCapacity(events.count)
        for event in events {
            guard let text = String(data: event.payload, encoding: .utf8) else { throw PayloadError(event: event) }
            payloads.append(text)
        }
        var binds = PostgresBindings(capacity: 4)
        binds.append(events.map(\.idempotencyKey))
        binds.append(events.map(\.event))
        binds.append(events.map(\.caseID))
        binds.append(payloads)
        return PostgresQuery(unsafeSQL: """
            INSERT INTO \(name) (idempotency_key, event, case_id, payload)
            SELECT key, event, case_id, payload::jsonb
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS e(key, event, case_id, payload, n)
            ORDER BY n
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING idempotency_key, id
            """, binds: binds)
    }

    /// An event whose payload is not UTF-8 text, so cannot be JSON: refused before any SQL.
    struct PayloadError: Error {
        let event: OutboxEvent
    }
}
