import Foundation
import IntakeCore
import IntakeStore
import PostgresNIO

/// What the ledger holds for a source ref: its case, and the content it was last taken with.
struct LedgerEntry: Sendable, Hashable {
    /// Nil for an input taken without a case.
    var caseID: String?
    var contentSHA256: String?
}

/// The rows of one admission: ledger, case, outbox event, trace.
extension PostgresAdmission {
    func ledgerEntry(channel: IntakeCore.Channel, source: String, ref: String) async throws -> LedgerEntry? {
        let rows = try await connection.query("""
            SELECT case_id, content_sha256 FROM intake_ledger WHERE ref = \(ref) AND source = \(source) AND channel = \(channel.rawValue)
            """, logger: logger)
        for try await (caseID, content) in rows.decode((String?, String?).self) { return LedgerEntry(caseID: caseID, contentSHA256: content) }
        return nil
    }

    /// Inserts the ledger entry of a new case; false when the ref is taken already (the
    /// UNIQUE constraint said so).
    func claimLedger(_ intakeCase: IntakeCase, contentSHA256: String?) async throws -> Bool {
        let rows = try await connection.query("""
            INSERT INTO intake_ledger (channel, source, ref, raw_sha256, case_id, received_at, content_sha256, node)
            VALUES (\(intakeCase.channel.rawValue), \(intakeCase.source), \(intakeCase.ref), \(intakeCase.rawSHA256), \(intakeCase.id),
                    \(now), \(contentSHA256), \(node))
            ON CONFLICT (ref, source, channel) DO NOTHING RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func insertCase(_ intakeCase: IntakeCase, document: Data) async throws {
        try await connection.query("""
            INSERT INTO intake_case (id, channel, source, ref, raw_sha256, received_at, document)
            VALUES (\(intakeCase.id), \(intakeCase.channel.rawValue), \(intakeCase.source), \(intakeCase.ref), \(intakeCase.rawSHA256),
                    \(now), \(String(decoding: document, as: UTF8.self)))
            """, logger: logger)
        try await recordAttachments(of: intakeCase)
    }

    /// Replaces a case's document with a newer version from its source and queues
    /// `case.updated`; events of the case still owed keep the envelope they were queued with.
    func updateCase(_ intakeCase: IntakeCase, document: Data, contentSHA256: String?) async throws -> TraceStep {
        let owed = try await connection.query("""
            SELECT o.id, o.event, o.idempotency_key, o.emitted_at, c.document FROM outbox o JOIN intake_case c ON c.id = o.case_id
            WHERE o.case_id = \(intakeCase.id) AND o.payload IS NULL AND o.state != 'delivered'
            """, logger: logger)
        var envelopes: [(Int64, Data)] = []
        for try await (id, event, key, emittedAt, oldDocument) in owed.decode((Int64, String, String, String, String).self) {
            guard let kind = CaseEvent.Kind(rawValue: event) else { continue }
            envelopes.append((id, CaseEvent.envelope(event: kind, idempotencyKey: key, emittedAt: emittedAt, caseJSON: Data(oldDocument.utf8))))
        }
        for (id, envelope) in envelopes {
            try await connection.query("UPDATE outbox SET payload = \(envelope) WHERE id = \(id)", logger: logger)
        }
        try await connection.query(
            "UPDATE intake_case SET document = \(String(decoding: document, as: UTF8.self)) WHERE id = \(intakeCase.id)", logger: logger)
        try await connection.query("""
            UPDATE intake_ledger SET content_sha256 = \(contentSHA256)
            WHERE ref = \(intakeCase.ref) AND source = \(intakeCase.source) AND channel = \(intakeCase.channel.rawValue)
            """, logger: logger)
        try await recordAttachments(of: intakeCase)
        return try await enqueue(.updated, of: intakeCase)
    }

    func contentSeen(channel: IntakeCore.Channel, source: String, ref: String, contentSHA256: String) async throws -> Bool {
        let rows = try await connection.query("""
            SELECT 1 FROM ledger_content
            WHERE ref = \(ref) AND source = \(source) AND channel = \(channel.rawValue) AND content_sha256 = \(contentSHA256)
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func rememberContent(channel: IntakeCore.Channel, source: String, ref: String, contentSHA256: String) async throws {
        try await connection.query("""
            INSERT INTO ledger_content (channel, source, ref, content_sha256) VALUES (\(channel.rawValue), \(source), \(ref), \(contentSHA256))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    func isErased(caseID: String) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT (document::jsonb ? 'erased') FROM intake_case WHERE id = \(caseID)", logger: logger)
        for try await (erased,) in rows.decode((Bool,).self) { return erased }
        return false
    }

    private func recordAttachments(of intakeCase: IntakeCase) async throws {
        for attachment in intakeCase.attachments {
            try await connection.query("""
                INSERT INTO attachment_ref (sha256, case_id) VALUES (\(attachment.sha256), \(intakeCase.id)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// Queues an event and returns its `queued` step. As in the SQLite store, the event holds
    /// no copy of the case (the envelope is built from the case's document at delivery), and
    /// the n-th `case.updated` of a case gets key suffix n.
    func enqueue(_ event: CaseEvent.Kind, of intakeCase: IntakeCase) async throws -> TraceStep {
        var sequence = 0
        if event != .created && event != .duplicate && event != .followup {
            let rows = try await connection.query(
                "SELECT count(*) FROM outbox WHERE case_id = \(intakeCase.id) AND event = \(event.rawValue)", logger: logger)
            for try await (count,) in rows.decode((Int64,).self) { sequence = Int(count) }
        }
        let key = CaseEvent.idempotencyKey(caseID: intakeCase.id, event: event, sequence: sequence)
        try await connection.query("""
            INSERT INTO outbox (case_id, event, idempotency_key, emitted_at, queued_at, next_attempt_at)
            VALUES (\(intakeCase.id), \(event.rawValue), \(key), \(intakeCase.receivedAt), \(now), \(now))
            """, logger: logger)
        return TraceStep(
            "queued", channel: intakeCase.channel, source: intakeCase.source, ref: intakeCase.ref, caseID: intakeCase.id,
            detail: ["event": .string(event.rawValue), "idempotency_key": .string(key)])
    }

    func trace(_ steps: [TraceStep]) async throws {
        for step in steps {
            try await connection.query("""
                INSERT INTO trace (at, step, channel, source, ref, case_id, raw_sha256, actor, detail, node)
                VALUES (\(step.at ?? now), \(step.step), \(step.channel?.rawValue), \(step.source), \(step.ref), \(step.caseID),
                        \(step.rawSHA256), \(step.actor), \(step.detail.isEmpty ? nil : JSONValue.object(step.detail).serialized()), \(node))
                """, logger: logger)
        }
    }

    /// The `admitted` record: one row for a case's intake steps, as the SQLite store writes it.
    func traceRecord(_ first: TraceStep, stepsJSON: String) async throws {
        let detail = "{\"steps\":[" + stepsJSON + "]}"
        try await connection.query("""
            INSERT INTO trace (at, step, channel, source, ref, case_id, raw_sha256, actor, detail, node)
            VALUES (\(first.at ?? now), 'admitted', \(first.channel?.rawValue), \(first.source), \(first.ref), \(first.caseID),
                    \(first.rawSHA256), NULL, \(detail), \(node))
            """, logger: logger)
    }
}

/// Stored Idempotency-Key answers.
extension PostgresAdmission {
    func storedAnswer(channel: IntakeCore.Channel, source: String, key: String) async throws -> StoredAnswer? {
        let rows = try await connection.query("""
            SELECT request_sha256, status, response FROM idempotency_key
            WHERE channel = \(channel.rawValue) AND source = \(source) AND key = \(key)
            """, logger: logger)
        for try await (request, status, body) in rows.decode((String, Int32, Data).self) {
            return StoredAnswer(requestSHA256: request, status: Int(status), body: body)
        }
        return nil
    }

    func storeAnswer(_ answer: StoredAnswer, channel: IntakeCore.Channel, source: String, key: String) async throws {
        try await connection.query("""
            INSERT INTO idempotency_key (channel, source, key, request_sha256, status, response, created_at)
            VALUES (\(channel.rawValue), \(source), \(key), \(answer.requestSHA256), \(Int32(answer.status)), \(answer.body), \(now))
            """, logger: logger)
    }
}
