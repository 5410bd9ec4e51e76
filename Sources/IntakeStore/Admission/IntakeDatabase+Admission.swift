import Foundation
import GRDB
import IntakeCore
import IntakePipeline

extension IntakeDatabase {
    /// Finds each item's dedup candidates before its transaction: the in-memory index up to
    /// the last commit, the candidates' rows from a read snapshot (GRDB's async read, off the
    /// cooperative pool and off the writer). The writer then looks only at what was committed
    /// after the snapshot and at earlier items of its own batch.
    public func findCandidates(_ items: [AdmissionItem]) async throws -> [AdmissionItem] {
        let snapshot = dedupIndex.committedSeq
        var items = items
        let hits = items.map { item -> [DedupIndex.Hit] in
            guard let probe = item.probe, item.followupOf == nil else { return [] }
            return dedupIndex.lookup(probe, seqs: 0...snapshot)
        }
        let rows = try await candidateRows(hits.joined().map(\.seq))
        for index in items.indices where items[index].probe != nil {
            items[index].prefetched = AdmissionItem.Prefetched(
                snapshot: snapshot,
                candidates: hits[index].compactMap { hit in
                    rows[hit.seq].map { IndexedCandidate(seq: hit.seq, candidate: $0, sharedBands: hit.sharedBands) }
                })
        }
        return items
    }

    /// What deduplication would decide for a probe now, from a read snapshot, without
    /// admitting anything (the lookup benchmark; a dry run).
    public func dedupDecision(for probe: DedupProbe) async throws -> (decision: DedupDecision, candidates: Int) {
        let hits = dedupIndex.lookup(probe, seqs: 0...dedupIndex.committedSeq)
        let rows = try await candidateRows(hits.map(\.seq))
        let candidates = hits.compactMap { rows[$0.seq] }
        let decision = try probe.decide(candidates)
        let duplicates = decision.considered.filter { $0.verdict == .duplicate || $0.mayBeContained }.map(\.candidateID)
        guard !duplicates.isEmpty else { return (decision, candidates.count) }
        let texts = try await pool.read { db in
            Dictionary(uniqueKeysWithValues: try duplicates.compactMap { id in try IntakeTransaction.caseText(db, id: id).map { (id, $0) } })
        }
        return (decision.checkingText(of: probe.text, policy: probe.policy) { texts[$0] }, candidates.count)
    }

    /// The rows of indexed cases: the recently indexed ones from memory, the rest in one read
    /// of a snapshot. A row that is gone (its case re-indexed) is left out.
    private func candidateRows(_ seqs: [Int64]) async throws -> [Int64: DedupCandidate] {
        var rows: [Int64: DedupCandidate] = [:]
        var wanted = Set<Int64>()
        for seq in seqs where rows[seq] == nil {
            if let recent = dedupIndex.recentCandidate(seq) { rows[seq] = recent } else { wanted.insert(seq) }
        }
        guard !wanted.isEmpty else { return rows }
        let read = wanted
        let found = try await pool.read { db in
            let statement = try db.cachedStatement(sql: DedupRows.candidateSQL)
            var found: [Int64: DedupCandidate] = [:]
            for seq in read {
                if let candidate = try Row.fetchOne(statement, arguments: [seq]).flatMap(DedupRows.candidate(_:)) { found[seq] = candidate }
            }
            return found
        }
        return rows.merging(found) { first, _ in first }
    }

    /// Fills the in-memory index from the rows of cases received within the retention (their
    /// ids are UUIDv7: a range of the primary key), and sets its sequence counter past every
    /// row ever written.
    static func rebuild(_ index: DedupIndex, from pool: DatabasePool, retentionSecs: Double, now: Date) throws {
        let bound = UUIDv7.lowerBound(at: now.addingTimeInterval(-retentionSecs))
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT seq, case_id, at, keys, signature FROM dedup_case WHERE case_id >= ? ORDER BY seq
                """, arguments: [bound])
            while let row = try rows.next() {
                guard let signature = try? MinHashSignature(data: row[4]) else { continue }
                let keys: String = row[3]
                index.insert(
                    seq: row[0], bands: signature.isEmpty ? [] : signature.bands(),
                    keys: keys.isEmpty ? [] : keys.split(separator: "\n").map(String.init),
                    at: Date(timeIntervalSince1970: row[2]), receivedAt: UUIDv7.date(of: row[1]) ?? now)
            }
            if let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM dedup_case") { index.advance(to: last) }
        }
        index.markCommitted()
    }

    /// The event envelope `{"case":…,"emitted_at":…,"event":…,"idempotency_key":…}` as SQL,
    /// byte for byte what `CaseEvent.envelope` writes: an event's payload when it has none
    /// of its own. `outbox` names the outbox row, `document` the case's document.
    static func envelopeSQL(outbox: String, document: String) -> String {
        """
        '{"case":' || \(document) || ',"emitted_at":' || json_quote(\(outbox).emitted_at) || ',"event":' || json_quote(\(outbox).event) \
        || ',"idempotency_key":' || json_quote(\(outbox).idempotency_key) || '}'
        """
    }

    /// The payload of outbox row `o` joined with its case `c`.
    static let payloadSQL = "coalesce(o.payload, CAST(\(envelopeSQL(outbox: "o", document: "c.document")) AS BLOB))"
}
