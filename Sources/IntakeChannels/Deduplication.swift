import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore

extension IntakeTransaction {
    /// Records a new case after cross-channel deduplication, all in this transaction: the
    /// decision against the index (`DedupProbe.decide`), the case with `duplicate_of` and
    /// `similarity` (event `case.duplicate`) or a `possible_duplicate_of` hint, the
    /// `deduplicated` trace step with every candidate considered (`intake dedup explain`),
    /// and the case in the index unless it is a duplicate (repeats point at the original).
    /// Without a probe (deduplication off, a follow-up) the case is inserted as it is.
    @discardableResult
    func insertNew(
        _ intakeCase: IntakeCase, document: Data, contentSHA256: String? = nil, probe: DedupProbe?,
        event: CaseEvent.Kind = .created, steps: [TraceStep]
    ) throws -> DedupDecision.Outcome? {
        guard let probe else {
            try insertCase(intakeCase, document: document, contentSHA256: contentSHA256, event: event, steps: steps)
            return nil
        }
        let window = probe.policy.windowSeconds
        let stored = try dedupCandidates(
            bands: probe.bands, keys: probe.identityKeys,
            from: probe.at.addingTimeInterval(-window), to: probe.at.addingTimeInterval(window))
        let candidates = stored.compactMap { entry in
            (try? MinHashSignature(data: entry.signature)).map {
                DedupCandidate(id: entry.caseID, signature: $0, identityKeys: entry.keys, categoryCode: entry.category, receivedAt: entry.at)
            }
        }
        let decision = probe.decide(candidates)

        var intakeCase = intakeCase
        var document = document
        var event = event
        switch decision.outcome {
        case .duplicate(let original, let similarity):
            intakeCase.duplicateOf = original
            intakeCase.similarity = Self.rounded(similarity)
            event = .duplicate
            document = try intakeCase.encoded()
        case .possible(let original, _):
            intakeCase.possibleDuplicateOf = original
            document = try intakeCase.encoded()
        case .new:
            break
        }
        let bands = Dictionary(stored.map { ($0.caseID, $0.sharedBands) }, uniquingKeysWith: max)
        let step = TraceStep(
            "deduplicated", channel: intakeCase.channel, source: intakeCase.source, ref: intakeCase.ref, caseID: intakeCase.id,
            detail: decision.traceDetail(probe: probe, sharedBands: bands))
        try insertCase(intakeCase, document: document, contentSHA256: contentSHA256, event: event, steps: steps + [step])
        if case .duplicate = decision.outcome { return decision.outcome }
        try indexForDedup(
            caseID: intakeCase.id, at: probe.at, category: probe.categoryCode, keys: probe.identityKeys,
            signature: probe.signature.data, bands: probe.bands)
        return decision.outcome
    }

    /// A new version of an indexed case replaces its entry (text, keys, category); a
    /// duplicate stays out of the index.
    func reindex(caseID: String, probe: DedupProbe?) throws {
        guard let probe, try isIndexedForDedup(caseID: caseID) else { return }
        try indexForDedup(
            caseID: caseID, at: probe.at, category: probe.categoryCode, keys: probe.identityKeys,
            signature: probe.signature.data, bands: probe.bands, replacing: true)
    }

    static func rounded(_ similarity: Double) -> Double {
        (similarity * 1000).rounded() / 1000
    }
}

extension DedupDecision {
    /// Candidates written into the trace, the most similar first; the rest are counted.
    static let tracedCandidates = 5

    /// The `deduplicated` step's detail: the outcome, the probe's keys, and the most similar
    /// candidates with their similarity, shared keys and bands, verdict and reason.
    func traceDetail(probe: DedupProbe, sharedBands: [String: Int]) -> [String: JSONValue] {
        var detail: [String: JSONValue] = [
            "identity_keys": .array(probe.identityKeys.map(JSONValue.string)),
            "category": probe.categoryCode.map(JSONValue.string) ?? .null,
            "at": .number(probe.at.timeIntervalSince1970),
            "window_days": .number(probe.policy.windowSeconds / 86400),
            "thresholds": .object([
                "high": .number(probe.policy.highThreshold), "low": .number(probe.policy.lowThreshold),
                "text_only": .number(probe.policy.textOnlyThreshold), "cross_category": .number(probe.policy.crossCategoryThreshold),
            ]),
        ]
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
