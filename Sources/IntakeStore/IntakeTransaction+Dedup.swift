import Foundation
import GRDB
import IntakeCore
import IntakePipeline

/// The dedup rows (`dedup_case`: one compact row per indexed case, in insertion order) and
/// the in-memory index over them, both written in the transaction of the case they index.
extension IntakeTransaction {
    /// Indexes a case for later lookups: its row, then its bands and keys in memory.
    /// Admission does this for every case it admits; public for tools that fill a store.
    public func indexForDedup(caseID: String, probe: DedupProbe) throws {
        let seq = dedupIndex.nextSeq()
        try db.cachedStatement(sql: "INSERT INTO dedup_case (seq, case_id, at, category, keys, signature) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [
                seq, caseID, probe.at.timeIntervalSince1970, probe.categoryCode, probe.identityKeys.joined(separator: "\n"), probe.signature.data,
            ])
        dedupIndex.insert(seq: seq, bands: probe.bands, keys: probe.identityKeys, at: probe.at, receivedAt: now)
        dedupIndex.remember(
            DedupCandidate(id: caseID, signature: probe.signature, identityKeys: probe.identityKeys, categoryCode: probe.categoryCode, receivedAt: probe.at),
            seq: seq)
    }

    /// Removes a case's row (a new version replaces it); false when it was not indexed (a
    /// duplicate). Its entries in memory stay until the table is rebuilt: they point at a
    /// row that is gone, which a lookup skips.
    func removeFromDedupIndex(caseID: String) throws -> Bool {
        guard let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM dedup_case WHERE case_id = ?"), arguments: [caseID])
        else { return false }
        try db.cachedStatement(sql: "DELETE FROM dedup_case WHERE seq = ?").execute(arguments: [seq])
        dedupIndex.forget(seq)
        return true
    }

    /// Whether a case is in the index (an original, not a duplicate).
    public func isIndexedForDedup(caseID: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM dedup_case WHERE case_id = ?)"), arguments: [caseID]) ?? false
    }

    /// The stored row of an indexed case, as a candidate; nil when it is gone.
    func dedupCandidate(seq: Int64) throws -> DedupCandidate? {
        if let recent = dedupIndex.recentCandidate(seq) ?? dedupIndex.pendingCandidate(seq) { return recent }
        return try Row.fetchOne(db.cachedStatement(sql: DedupRows.candidateSQL), arguments: [seq]).flatMap(DedupRows.candidate(_:))
    }
}

/// Reading `dedup_case` rows, for the writer and for the snapshot reads before it.
enum DedupRows {
    static let candidateSQL = "SELECT case_id, at, category, keys, signature FROM dedup_case WHERE seq = ?"

    static func candidate(_ row: Row) -> DedupCandidate? {
        guard let signature = try? MinHashSignature(data: row[4]) else { return nil }
        let keys: String = row[3]
        return DedupCandidate(
            id: row[0], signature: signature, identityKeys: keys.isEmpty ? [] : keys.split(separator: "\n").map(String.init),
            categoryCode: row[2], receivedAt: Date(timeIntervalSince1970: row[1]))
    }
}

extension DedupDecision {
    /// Candidates written into the trace, the most similar first; the rest are counted.
    static let tracedCandidates = 5

    /// The `deduplicated` step's detail: the outcome, the probe's keys, and the most similar
    /// candidates with their similarity, shared keys and bands, verdict and reason. The
    /// thresholds in force are recorded only when a candidate was compared with them.
    public func traceDetail(probe: DedupProbe, sharedBands: [String: Int]) -> [String: JSONValue] {
        var detail: [String: JSONValue] = [
            "identity_keys": .array(probe.identityKeys.map(JSONValue.string)),
            "at": .number(probe.at.timeIntervalSince1970),
        ]
        if let category = probe.categoryCode { detail["category"] = .string(category) }
        switch outcome {
        case .duplicate(let original, let similarity):
            detail["outcome"] = .string("duplicate")
            detail["of"] = .string(original)
            detail["similarity"] = .number(IntakeTransaction.rounded(similarity))
        case .possible(let original, let similarity):
            detail["outcome"] = .string("possible_duplicate")
            detail["of"] = .string(original)
            detail["similarity"] = .number(IntakeTransaction.rounded(similarity))
        case .new:
            detail["outcome"] = .string("new")
        }
        detail["candidates_considered"] = .number(Double(considered.count))
        guard !considered.isEmpty else { return detail }
        detail["window_days"] = .number(probe.policy.windowSeconds / 86400)
        detail["thresholds"] = .object([
            "high": .number(probe.policy.highThreshold), "low": .number(probe.policy.lowThreshold),
            "text_only": .number(probe.policy.textOnlyThreshold), "cross_category": .number(probe.policy.crossCategoryThreshold),
        ])
        detail["candidates"] = .array(considered.sorted { $0.similarity > $1.similarity }.prefix(Self.tracedCandidates).map { consideration in
            .object([
                "case_id": .string(consideration.candidateID),
                "similarity": .number(IntakeTransaction.rounded(consideration.similarity)),
                "shared_keys": .array(consideration.sharedKeys.map(JSONValue.string)),
                "shared_bands": .number(Double(sharedBands[consideration.candidateID] ?? 0)),
                "verdict": .string(consideration.verdict.traceName),
                "reason": .string(consideration.reason),
            ])
        })
        return detail
    }
}

extension DedupDecision.Verdict {
    var traceName: String {
        switch self {
        case .duplicate: "duplicate"
        case .possible: "possible_duplicate"
        case .belowThreshold: "below_threshold"
        case .outsideWindow: "outside_window"
        case .differentEnterprise: "different_enterprise"
        case .otherCategory: "other_category"
        case .emptyText: "empty_text"
        }
    }
}
