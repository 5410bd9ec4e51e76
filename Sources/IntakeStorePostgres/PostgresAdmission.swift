import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore
import Logging
import PostgresNIO

/// One admission transaction on the shared database: what `IntakeTransaction` does for the
/// SQLite store, step for step, with the dedup candidates read from the database instead of
/// an in-memory index (another gateway's cases are in the database, not in this process).
struct PostgresAdmission {
    let connection: PostgresConnection
    let now: Date
    let node: String
    let logger: Logger

    /// Takes the batch's advisory locks, in the order given; held until the transaction ends.
    func lock(_ keys: [Int64]) async throws {
        guard !keys.isEmpty else { return }
        // unnest yields the keys in array order, and each row takes its lock in turn.
        let rows = try await connection.query("SELECT pg_advisory_xact_lock(k) FROM unnest(\(keys)::bigint[]) AS k", logger: logger)
        for try await _ in rows {}
    }

    /// Keeps the raw input in chunks; the same bytes arriving twice are stored once.
    func store(_ input: RawInput) async throws {
        let rows = try await connection.query("""
            INSERT INTO raw_input (sha256, channel, source, media_type, size, chunk_size, received_at)
            VALUES (\(input.sha256), \(input.channel.rawValue), \(input.source), \(input.mediaType), \(Int64(input.body.count)),
                    \(Int32(RawInput.chunkSize)), \(now))
            ON CONFLICT (sha256) DO NOTHING RETURNING sha256
            """, logger: logger)
        var inserted = false
        for try await _ in rows { inserted = true }
        guard inserted else { return }
        var offset = 0
        var n: Int32 = 0
        repeat {
            let end = min(offset + RawInput.chunkSize, input.body.count)
            let chunk = input.body.subdata(in: offset..<end)
            try await connection.query(
                "INSERT INTO raw_chunk (sha256, n, bytes) VALUES (\(input.sha256), \(n), \(chunk))", logger: logger)
            offset = end
            n += 1
        } while offset < input.body.count
    }

    /// Admits the items of a batch one after the other, so that two near-duplicates of one
    /// batch are decided in order.
    func admit(_ items: [AdmissionItem]) async throws -> [AdmissionOutcome] {
        var outcomes: [AdmissionOutcome] = []
        outcomes.reserveCapacity(items.count)
        for item in items { outcomes.append(try await admit(item)) }
        return outcomes
    }

    /// Admits one item: ledger (a repeat, or a new version of its case) → follow-up or
    /// deduplication → ledger entry, case, outbox event → one trace record → dedup row.
    func admit(_ item: AdmissionItem) async throws -> AdmissionOutcome {
        let intakeCase = item.intakeCase
        let channel = intakeCase.channel
        let source = intakeCase.source
        let ref = intakeCase.ref
        var received = TraceStep(
            "received", at: item.receivedAt, channel: channel, source: source, ref: ref, rawSHA256: intakeCase.rawSHA256, detail: item.origin)

        if let existing = try await ledgerEntry(channel: channel, source: source, ref: ref) {
            return try await admitAgain(item, existing: existing, received: received)
        }

        var new = item.unlinkedCase
        var deduplicated: [String: JSONValue]?
        if let parent = item.followupOf {
            new = try item.followupCase(of: parent)
        } else if let probe = item.probe {
            let found = try await candidates(for: probe)
            let decision = probe.decide(found.map(\.candidate)) { id in found.first { $0.candidate.id == id }?.text }
            new = try item.deduplicatedCase(by: decision)
            let shared = Dictionary(found.map { ($0.candidate.id, $0.sharedBands(with: probe)) }, uniquingKeysWith: max)
            deduplicated = decision.traceDetail(probe: probe, sharedBands: shared)
        }
        // The ledger decides: under the ref's lock nobody else can be inserting this ref, and
        // should anything have, the UNIQUE constraint makes this input a repeat.
        guard try await claimLedger(new.intakeCase, contentSHA256: item.contentSHA256) else {
            let existing = try await ledgerEntry(channel: channel, source: source, ref: ref)
            received.caseID = existing?.caseID
            received.detail["repeat"] = .bool(true)
            try await trace([received])
            return .repeat(caseID: existing?.caseID)
        }
        try await insertCase(new.intakeCase, document: new.document)
        let queued = try await enqueue(new.event, of: new.intakeCase)
        if let content = item.contentSHA256 { try await rememberContent(channel: channel, source: source, ref: ref, contentSHA256: content) }
        var rest: [(String, [String: JSONValue])] = []
        if let deduplicated { rest.append(("deduplicated", deduplicated)) }
        rest += [("stored", [:]), ("queued", queued.detail)]
        received.caseID = new.intakeCase.id
        try await traceRecord(received, stepsJSON: new.tracePrefix + "," + AdmissionItem.steps(rest))
        // A duplicate is not indexed: its repeats point at the original.
        if let probe = item.probe, item.followupOf == nil, new.event != .duplicate {
            try await indexForDedup(caseID: new.intakeCase.id, probe: probe)
        }
        return new.outcome
    }

    /// A source ref taken before: a repeat, or (a versioned item with a content never taken
    /// before) a new version of its case, `case.updated`.
    private func admitAgain(_ item: AdmissionItem, existing: LedgerEntry, received: TraceStep) async throws -> AdmissionOutcome {
        var received = received
        var intakeCase = item.intakeCase
        switch item.versioning {
        case .once:
            received.caseID = existing.caseID
            received.detail["repeat"] = .bool(true)
            try await trace([received])
            return .repeat(caseID: existing.caseID)
        case .versioned:
            guard let content = item.contentSHA256, existing.contentSHA256 != content,
                try await !contentSeen(channel: intakeCase.channel, source: intakeCase.source, ref: intakeCase.ref, contentSHA256: content),
                let caseID = existing.caseID,
                // An erased case is not filled in again by a later version of its row.
                try await !isErased(caseID: caseID)
            else { return .repeat(caseID: existing.caseID) }
            try await rememberContent(channel: intakeCase.channel, source: intakeCase.source, ref: intakeCase.ref, contentSHA256: content)
            intakeCase.id = caseID
            received.caseID = caseID
            received.detail["changed"] = .bool(true)
            let queued = try await updateCase(intakeCase, document: try intakeCase.encoded(), contentSHA256: content)
            try await traceRecord(received, stepsJSON: AdmissionItem.steps([received, queued].map { ($0.step, $0.detail) }))
            if let probe = item.probe, try await removeFromDedup(caseID: caseID) { try await indexForDedup(caseID: caseID, probe: probe) }
            return .updated(caseID: caseID)
        }
    }
}
