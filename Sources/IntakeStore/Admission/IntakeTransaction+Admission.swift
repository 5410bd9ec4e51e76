import Foundation
import GRDB
import IntakeCore
import IntakePipeline

/// Admission: the one place where an item becomes a case, inside the group commit.
extension IntakeTransaction {
    /// Admits one item: ledger (a repeat, or a new version of its case) → follow-up or
    /// deduplication → case, ledger entry, outbox event → one trace record → dedup index.
    /// Items of one batch are admitted one after the other, so two near-duplicates that
    /// arrive together are still decided in order.
    public func admit(_ item: AdmissionItem) throws -> AdmissionOutcome {
        var intakeCase = item.intakeCase
        let channel = intakeCase.channel
        let source = intakeCase.source
        let ref = intakeCase.ref
        var received = TraceStep(
            "received", at: item.receivedAt, channel: channel, source: source, ref: ref, rawSHA256: intakeCase.rawSHA256, detail: item.origin)

        if let existing = try ledgerEntry(channel: channel, source: source, ref: ref) {
            switch item.versioning {
            case .once:
                received.caseID = existing.caseID
                received.detail["repeat"] = .bool(true)
                try trace(received)
                return .repeat(caseID: existing.caseID)
            case .versioned:
                guard let content = item.contentSHA256, existing.contentSHA256 != content,
                    try !contentSeen(channel: channel, source: source, ref: ref, contentSHA256: content),
                    let caseID = existing.caseID,
                    // An erased case is not filled in again by a later version of its row.
                    try !isErased(caseID: caseID)
                else { return .repeat(caseID: existing.caseID) }
                try rememberContent(channel: channel, source: source, ref: ref, contentSHA256: content)
                intakeCase.id = caseID
                received.caseID = caseID
                received.detail["changed"] = .bool(true)
                let queued = try updateCase(intakeCase, document: try intakeCase.encoded(), contentSHA256: content)
                try traceAdmission([received, queued])
                if let probe = item.probe, try removeFromDedupIndex(caseID: caseID) { try indexForDedup(caseID: caseID, probe: probe) }
                return .updated(caseID: caseID)
            }
        }

        let id = intakeCase.id
        var new = item.unlinkedCase
        var deduplicated: [String: JSONValue]?
        if let parent = item.followupOf {
            new = try item.followupCase(of: parent)
        } else if let probe = item.probe {
            let (decision, sharedBands) = try decide(probe, prefetched: item.prefetched)
            new = try item.deduplicatedCase(by: decision)
            deduplicated = decision.traceDetail(probe: probe, sharedBands: sharedBands)
        }
        let queued = try insertCase(new.intakeCase, document: new.document, contentSHA256: item.contentSHA256, event: new.event)
        if let content = item.contentSHA256 { try rememberContent(channel: channel, source: source, ref: ref, contentSHA256: content) }
        var rest: [(String, [String: JSONValue])] = []
        if let deduplicated { rest.append(("deduplicated", deduplicated)) }
        rest += [("stored", [:]), ("queued", queued.detail)]
        received.caseID = id
        try traceRecord(received, stepsJSON: new.tracePrefix + "," + AdmissionItem.steps(rest))
        // A duplicate is not indexed: its repeats point at the original.
        if let probe = item.probe, item.followupOf == nil, new.event != .duplicate { try indexForDedup(caseID: id, probe: probe) }
        return new.outcome
    }

    /// The case an input answers: the first of `refs` (an email's In-Reply-To, then its
    /// References, nearest first) taken on `channel`, else the case whose id ends with `token`.
    public func answeredCase(channel: Channel, refs: [String], token: String?) throws -> String? {
        for ref in refs {
            if let parent = try caseID(channel: channel, ref: ref) { return parent }
        }
        return try token.flatMap { try caseID(token: $0) }
    }

    /// The decision against the candidates read before the transaction, and those the
    /// snapshot could not see: committed since, and earlier items of this batch.
    func decide(_ probe: DedupProbe, prefetched: AdmissionItem.Prefetched?) throws -> (DedupDecision, [String: Int]) {
        var candidates = prefetched?.candidates ?? []
        let snapshot = prefetched?.snapshot ?? 0
        let newer = dedupIndex.lookup(probe, seqs: (snapshot + 1)...Int64.max)
        for hit in newer {
            if let candidate = try dedupCandidate(seq: hit.seq) {
                candidates.append(IndexedCandidate(seq: hit.seq, candidate: candidate, sharedBands: hit.sharedBands))
            }
        }
        var decision = try probe.decide(candidates.map(\.candidate), candidateText: caseText(id:))
        // The in-memory index and its recent candidates are this process's: `intake erase`,
        // another process, removes an erased case's row. An original is confirmed here, in the
        // write transaction, before anything points at it (one primary-key read, only when a
        // decision names an original).
        while let original = decision.outcome.original, try !isIndexedForDedup(caseID: original) {
            candidates.removeAll { $0.candidate.id == original }
            decision = try probe.decide(candidates.map(\.candidate), candidateText: caseText(id:))
        }
        return (decision, Dictionary(candidates.map { ($0.candidate.id, $0.sharedBands) }, uniquingKeysWith: max))
    }

    func isErased(caseID: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT json_extract(document, '$.erased') IS NOT NULL FROM intake_case WHERE id = ?
            """), arguments: [caseID]) ?? false
    }

    /// A stored case's text as deduplication compares it: its description, or its subject.
    func caseText(id: String) throws -> String? {
        try Self.caseText(db, id: id)
    }

    static func caseText(_ db: Database, id: String) throws -> String? {
        guard let document = try String.fetchOne(db, sql: "SELECT document FROM intake_case WHERE id = ?", arguments: [id]),
              case .object(let fields) = try? JSONParser.parse(Array(document.utf8))
        else { return nil }
        if case .string(let description)? = fields["description"], !description.isEmpty { return description }
        if case .string(let subject)? = fields["subject"] { return subject }
        return nil
    }

    /// A case's intake steps as one trace record (`admitted`); `intake trace` shows the steps
    /// one by one. One row instead of five, and the repeated columns once.
    func traceAdmission(_ steps: [TraceStep]) throws {
        guard let first = steps.first else { return }
        try traceRecord(first, stepsJSON: AdmissionItem.steps(steps.map { ($0.step, $0.detail) }))
    }

    /// Writes the `admitted` record with the columns of `first` and its steps already serialised.
    func traceRecord(_ first: TraceStep, stepsJSON: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO trace (at, step, channel, source, ref, case_id, raw_sha256, actor, detail) VALUES (?, 'admitted', ?, ?, ?, ?, ?, NULL, ?)
            """).execute(arguments: [
                (first.at ?? now).timeIntervalSince1970, first.channel?.rawValue, first.source, first.ref, first.caseID, first.rawSHA256,
                "{\"steps\":[" + stepsJSON + "]}",
            ])
    }

    static func rounded(_ similarity: Double) -> Double {
        (similarity * 1000).rounded() / 1000
    }
}
