import Foundation
import GRDB
import IntakeCore
import IntakePipeline

/// What a channel may do inside one intake transaction: store the raw input, look up the
/// ledger, record a case with its outbox event and trace. All of it commits together or not at all.
public struct IntakeTransaction {
    let db: Database
    public let now: Date
    /// The in-memory dedup index the writer keeps up to date as it admits cases.
    let dedupIndex: DedupIndex

    init(db: Database, now: Date, dedupIndex: DedupIndex) {
        self.db = db
        self.now = now
        self.dedupIndex = dedupIndex
    }

    /// A previous answer to the same Idempotency-Key from the same source.
    public struct StoredAnswer: Sendable, Hashable {
        public let requestSHA256: String
        public let status: Int
        public let body: Data
    }

    /// Keeps the raw input; the same bytes arriving twice are stored once.
    public func storeRaw(sha256: String, channel: Channel, source: String, mediaType: String, body: Data) throws {
        try db.cachedStatement(sql: """
            INSERT INTO raw_input (sha256, channel, source, media_type, size, received_at, body)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING
            """).execute(arguments: [sha256, channel.rawValue, source, mediaType, body.count, now.timeIntervalSince1970, body])
        try db.cachedStatement(sql: """
            INSERT INTO channel_activity (channel, source, last_received_at) VALUES (?, ?, ?)
            ON CONFLICT (channel, source) DO UPDATE SET last_received_at = excluded.last_received_at
            """).execute(arguments: [channel.rawValue, source, now.timeIntervalSince1970])
    }

    /// Records an input whose bytes are in the blob store under `sha256` (a hotline export:
    /// too large for a row, and streamed there before this transaction).
    public func storeRawReference(sha256: String, channel: Channel, source: String, mediaType: String, size: Int) throws {
        try db.cachedStatement(sql: """
            INSERT INTO raw_input (sha256, channel, source, media_type, size, received_at, body, in_blob_store)
            VALUES (?, ?, ?, ?, ?, ?, X'', 1) ON CONFLICT (sha256) DO NOTHING
            """).execute(arguments: [sha256, channel.rawValue, source, mediaType, size, now.timeIntervalSince1970])
        try db.cachedStatement(sql: """
            INSERT INTO channel_activity (channel, source, last_received_at) VALUES (?, ?, ?)
            ON CONFLICT (channel, source) DO UPDATE SET last_received_at = excluded.last_received_at
            """).execute(arguments: [channel.rawValue, source, now.timeIntervalSince1970])
    }

    /// What the ledger holds for a source ref: its case, and the content it was last taken with.
    public struct LedgerEntry: Sendable, Hashable {
        /// Nil for an input taken without a case (an auto-reply, recorded as ignored).
        public let caseID: String?
        public let contentSHA256: String?
    }

    public func ledgerEntry(channel: Channel, source: String, ref: String) throws -> LedgerEntry? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT case_id, content_sha256 FROM intake_ledger WHERE ref = ? AND source = ? AND channel = ?
            """), arguments: [ref, source, channel.rawValue]).map { LedgerEntry(caseID: $0[0], contentSHA256: $0[1]) }
    }

    /// Whether a source ref was ever taken with this content (not only the latest).
    public func contentSeen(channel: Channel, source: String, ref: String, contentSHA256: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM ledger_content WHERE ref = ? AND source = ? AND channel = ? AND content_sha256 = ?)
            """), arguments: [ref, source, channel.rawValue, contentSHA256]) ?? false
    }

    /// Remembers a content a source ref was taken with.
    public func rememberContent(channel: Channel, source: String, ref: String, contentSHA256: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO ledger_content (channel, source, ref, content_sha256) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
            """).execute(arguments: [channel.rawValue, source, ref, contentSHA256])
    }

    /// Replaces a case's document with a newer version from its source (same id, same ref),
    /// remembers the content it came from, and queues `case.updated`; returns its `queued` step.
    /// Events of the case still owed keep the document they were queued with.
    func updateCase(_ intakeCase: IntakeCase, document: Data, contentSHA256: String?) throws -> TraceStep {
        try db.cachedStatement(sql: """
            UPDATE outbox SET payload = CAST(\(IntakeDatabase.envelopeSQL(outbox: "outbox", document: "(SELECT document FROM intake_case WHERE id = outbox.case_id)")) AS BLOB)
            WHERE case_id = ? AND payload IS NULL AND state != 'delivered'
            """).execute(arguments: [intakeCase.id])
        try db.cachedStatement(sql: "UPDATE intake_case SET document = ? WHERE id = ?").execute(arguments: [
            document.withUnsafeBytes { String(decoding: $0.bindMemory(to: UInt8.self), as: UTF8.self) }, intakeCase.id,
        ])
        try db.cachedStatement(sql: """
            UPDATE intake_ledger SET content_sha256 = ? WHERE ref = ? AND source = ? AND channel = ?
            """).execute(arguments: [contentSHA256, intakeCase.ref, intakeCase.source, intakeCase.channel.rawValue])
        try recordAttachments(of: intakeCase)
        return try enqueue(.updated, of: intakeCase)
    }

    /// Keeps input that could not become a case, with its reason; the same row or file
    /// quarantined again (the file taken a second time) is not added twice, and is open
    /// again if it had been resolved.
    public func quarantine(_ entry: QuarantineEntry) throws {
        try db.cachedStatement(sql: """
            INSERT INTO quarantine (channel, source, kind, file_name, raw_sha256, line, reason, header, fields, text, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (raw_sha256, kind, line) DO UPDATE SET
                reason = excluded.reason, resolved_at = NULL, resolved_by = NULL, resolution = NULL
            """).execute(arguments: [
                entry.channel.rawValue, entry.source, entry.kind.rawValue, entry.fileName, entry.rawSHA256, entry.line,
                entry.reason, entry.header.map { JSONValue.array($0.map(JSONValue.string)).serialized() },
                entry.fields.map { JSONValue.array($0.map(JSONValue.string)).serialized() }, entry.text, now.timeIntervalSince1970,
            ])
    }

    /// The case already taken for this source ref, if any.
    public func existingCase(channel: Channel, source: String, ref: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: """
            SELECT case_id FROM intake_ledger WHERE channel = ? AND source = ? AND ref = ?
            """), arguments: [channel.rawValue, source, ref])
    }

    public func storedAnswer(channel: Channel, source: String, key: String) throws -> StoredAnswer? {
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT request_sha256, status, response FROM idempotency_key WHERE channel = ? AND source = ? AND key = ?
            """), arguments: [channel.rawValue, source, key])
        return row.map { StoredAnswer(requestSHA256: $0[0], status: $0[1], body: $0[2]) }
    }

    public func storeAnswer(channel: Channel, source: String, key: String, requestSHA256: String, status: Int, body: Data) throws {
        try db.cachedStatement(sql: """
            INSERT INTO idempotency_key (channel, source, key, request_sha256, status, response, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [channel.rawValue, source, key, requestSHA256, status, body, now.timeIntervalSince1970])
    }

    /// Records a new case: the case document, the ledger entry (UNIQUE per source ref) and
    /// its first outbox event; returns the event's `queued` step.
    /// - Parameter document: the case already encoded, off the writer.
    /// - Parameter contentSHA256: what the source sent for this ref, so that a later repeat
    ///   can tell an unchanged row from a changed one.
    func insertCase(_ intakeCase: IntakeCase, document: Data, contentSHA256: String?, event: CaseEvent.Kind) throws -> TraceStep {
        let receivedAt = now.timeIntervalSince1970
        try db.cachedStatement(sql: """
            INSERT INTO intake_case (id, channel, source, ref, raw_sha256, received_at, document) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                intakeCase.id, intakeCase.channel.rawValue, intakeCase.source, intakeCase.ref, intakeCase.rawSHA256,
                receivedAt, document.withUnsafeBytes { String(decoding: $0.bindMemory(to: UInt8.self), as: UTF8.self) },
            ])
        try db.cachedStatement(sql: """
            INSERT INTO intake_ledger (channel, source, ref, raw_sha256, case_id, received_at, content_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                intakeCase.channel.rawValue, intakeCase.source, intakeCase.ref, intakeCase.rawSHA256, intakeCase.id, receivedAt,
                contentSHA256,
            ])
        try recordAttachments(of: intakeCase)
        return try enqueue(event, of: intakeCase)
    }

    /// Which case names which attachment blob: the retention sweeper keeps a blob while a case
    /// within its horizon names it, and removes it afterwards.
    private func recordAttachments(of intakeCase: IntakeCase) throws {
        for attachment in intakeCase.attachments {
            try db.cachedStatement(sql: "INSERT INTO attachment_ref (sha256, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .execute(arguments: [attachment.sha256, intakeCase.id])
        }
    }

    /// Queues an event for the forwarder and returns its `queued` step for the caller to trace.
    /// The event holds no copy of the case: the envelope is built from the case's document
    /// when it is delivered. The n-th event of a kind for one case gets key suffix n, so keys
    /// stay stable and distinct.
    @discardableResult
    public func enqueue(_ event: CaseEvent.Kind, of intakeCase: IntakeCase) throws -> TraceStep {
        let sequence = event == .created || event == .duplicate || event == .followup ? 0 : try Int.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM outbox WHERE case_id = ? AND event = ?
            """), arguments: [intakeCase.id, event.rawValue]) ?? 0
        let key = CaseEvent.idempotencyKey(caseID: intakeCase.id, event: event, sequence: sequence)
        try db.cachedStatement(sql: """
            INSERT INTO outbox (case_id, event, idempotency_key, emitted_at, queued_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [intakeCase.id, event.rawValue, key, intakeCase.receivedAt, now.timeIntervalSince1970, now.timeIntervalSince1970])
        return TraceStep(
            "queued", channel: intakeCase.channel, source: intakeCase.source, ref: intakeCase.ref, caseID: intakeCase.id,
            detail: ["event": .string(event.rawValue), "idempotency_key": .string(key)])
    }

    public func trace(_ step: TraceStep) throws {
        try trace([step])
    }

    /// Several steps in one statement: a case's intake steps cost one insert, not four.
    public func trace(_ steps: [TraceStep]) throws {
        guard !steps.isEmpty else { return }
        let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?)", count: steps.count).joined(separator: ", ")
        var arguments: [(any DatabaseValueConvertible)?] = []
        arguments.reserveCapacity(steps.count * 9)
        for step in steps {
            arguments += [
                (step.at ?? now).timeIntervalSince1970, step.step, step.channel?.rawValue, step.source, step.ref, step.caseID,
                step.rawSHA256, step.actor, step.detail.isEmpty ? nil : JSONValue.object(step.detail).serialized(),
            ]
        }
        try db.cachedStatement(sql: "INSERT INTO trace (at, step, channel, source, ref, case_id, raw_sha256, actor, detail) VALUES \(values)")
            .execute(arguments: StatementArguments(arguments))
    }
}
