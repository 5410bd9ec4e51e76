import Foundation
import IntakePipeline
import PostgresNIO

/// A case of the dedup table offered as a candidate, with its bands and its text.
struct StoredCandidate: Sendable {
    var candidate: DedupCandidate
    var bands: [Int64]
    /// Its description, or its subject: what `CrucialFacts` compares a duplicate with.
    var text: String?

    func sharedBands(with probe: DedupProbe) -> Int {
        let mine = Set(bands)
        return probe.bands.lazy.filter { mine.contains(Int64(bitPattern: $0)) }.count
    }
}

/// Deduplication against the dedup table: every gateway's cases, read inside the transaction
/// after its identity-key locks are held, so a near-duplicate committed a moment ago by
/// another gateway is a candidate.
extension PostgresAdmission {
    /// At most this many candidates, the most recently indexed first (the SQLite index offers
    /// up to 12 after its per-band and per-key limits).
    static let candidateLimit: Int64 = 64

    func candidates(for probe: DedupProbe) async throws -> [StoredCandidate] {
        let keys = probe.identityKeys
        let bands = probe.bands.map { Int64(bitPattern: $0) }
        guard !keys.isEmpty || !bands.isEmpty else { return [] }
        let from = probe.at.addingTimeInterval(-probe.policy.windowSeconds)
        let to = probe.at.addingTimeInterval(probe.policy.windowSeconds)
        let rows = try await connection.query("""
            SELECT d.case_id, d.at, d.category, d.keys, d.bands, d.signature,
                   coalesce(nullif(c.document::jsonb ->> 'description', ''), c.document::jsonb ->> 'subject')
            FROM dedup_case d JOIN intake_case c ON c.id = d.case_id
            WHERE d.at BETWEEN \(from) AND \(to) AND (d.keys && \(keys)::text[] OR d.bands && \(bands)::bigint[])
            ORDER BY d.seq DESC LIMIT \(Self.candidateLimit)
            """, logger: logger)
        var found: [StoredCandidate] = []
        for try await (id, at, category, keys, bands, signature, text) in rows.decode((String, Date, String?, [String], [Int64], Data, String?).self) {
            guard let signature = try? MinHashSignature(data: signature) else { continue }
            found.append(StoredCandidate(
                candidate: DedupCandidate(id: id, signature: signature, identityKeys: keys, categoryCode: category, receivedAt: at),
                bands: bands, text: text))
        }
        return found
    }

    /// Indexes a case for later lookups, by this gateway and every other.
    func indexForDedup(caseID: String, probe: DedupProbe) async throws {
        try await connection.query("""
            INSERT INTO dedup_case (case_id, at, category, keys, bands, signature)
            VALUES (\(caseID), \(probe.at), \(probe.categoryCode), \(probe.identityKeys)::text[],
                    \(probe.bands.map { Int64(bitPattern: $0) })::bigint[], \(probe.signature.data))
            """, logger: logger)
    }

    /// Removes a case's row (a new version replaces it); false when it was not indexed (a duplicate).
    func removeFromDedup(caseID: String) async throws -> Bool {
        let rows = try await connection.query("DELETE FROM dedup_case WHERE case_id = \(caseID) RETURNING seq", logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
