import Foundation

/// A stored case offered to the decision: found by a shared identity key or an LSH band.
public struct DedupCandidate: Sendable, Equatable {
    public var id: String
    public var signature: MinHashSignature
    public var identityKeys: [String]
    public var categoryCode: String?
    public var receivedAt: Date

    public init(id: String, signature: MinHashSignature, identityKeys: [String], categoryCode: String?, receivedAt: Date) {
        self.id = id
        self.signature = signature
        self.identityKeys = identityKeys
        self.categoryCode = categoryCode
        self.receivedAt = receivedAt
    }
}

/// What deduplication decided for a new case, and every candidate it looked at with the
/// reason it was kept or not (`intake dedup explain`).
///
/// Rules, applied per candidate:
/// 1. Outside the window → not considered.
/// 2. Both sides known and different enterprises → never a duplicate. "Different" means
///    no shared key, or two different valid USCCs (a shared phone of an agent does not
///    make two registered enterprises one).
/// 3. Either side without any identity key → text alone: duplicate at `textOnlyThreshold`,
///    possible from `highThreshold`.
/// 4. Same enterprise: duplicate at `highThreshold`, possible from `lowThreshold`.
/// 5. Different category codes (both known): a duplicate only at `crossCategoryThreshold`;
///    below it, what would have been a duplicate becomes a possible duplicate for a person,
///    and what would have been possible is dropped.
///
/// The outcome is the best duplicate (highest similarity, then the earliest received, then
/// the smallest id), else the best possible duplicate, else new.
public struct DedupDecision: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case duplicate(of: String, similarity: Double)
        case possible(of: String, similarity: Double)
        case new

        /// The case a duplicate or a possible duplicate points at.
        public var original: String? {
            switch self {
            case .duplicate(let original, _), .possible(let original, _): original
            case .new: nil
            }
        }
    }

    public enum Verdict: String, Sendable, Equatable {
        case duplicate, possible, belowThreshold, outsideWindow, differentEnterprise, otherCategory, emptyText
    }

    public struct Consideration: Sendable, Equatable {
        public var candidateID: String
        public var similarity: Double
        public var sharedKeys: [String]
        public var verdict: Verdict
        /// One line for people: the threshold that applied and why.
        public var reason: String
        /// A possible duplicate of the same enterprise and category, by similarity alone: a
        /// re-send with a sentence added may still be one (`checkingText`).
        public var mayBeContained = false
    }

    public var outcome: Outcome
    public var considered: [Consideration]

    public static func decide(
        signature: MinHashSignature,
        identityKeys: [String],
        categoryCode: String?,
        receivedAt: Date,
        candidates: [DedupCandidate],
        policy: DedupPolicy = DedupPolicy()
    ) -> DedupDecision {
        var considered: [Consideration] = []
        var best: (verdict: Verdict, similarity: Double, receivedAt: Date, id: String)?

        for candidate in candidates {
            let similarity = signature.estimatedSimilarity(candidate.signature)
            let shared = identityKeys.filter(candidate.identityKeys.contains)
            var consideration = Consideration(candidateID: candidate.id, similarity: similarity, sharedKeys: shared, verdict: .belowThreshold, reason: "")
            defer { considered.append(consideration) }

            let age = abs(receivedAt.timeIntervalSince(candidate.receivedAt))
            if age > policy.windowSeconds {
                consideration.verdict = .outsideWindow
                consideration.reason = "received \(Int(age / 86400)) days apart, window is \(Int(policy.windowSeconds / 86400)) days"
                continue
            }
            if signature.isEmpty || candidate.signature.isEmpty {
                consideration.verdict = .emptyText
                consideration.reason = "no text left after normalisation"
                continue
            }

            let textOnly = identityKeys.isEmpty || candidate.identityKeys.isEmpty
            if !textOnly {
                let ourUSCC = identityKeys.filter { $0.hasPrefix("uscc:") }
                let theirUSCC = candidate.identityKeys.filter { $0.hasPrefix("uscc:") }
                let conflictingUSCC = !ourUSCC.isEmpty && !theirUSCC.isEmpty && Set(ourUSCC).isDisjoint(with: theirUSCC)
                if shared.isEmpty || conflictingUSCC {
                    consideration.verdict = .differentEnterprise
                    consideration.reason = conflictingUSCC ? "different USCC" : "no shared identity key"
                    continue
                }
            }

            let duplicateAt = textOnly ? policy.textOnlyThreshold : policy.highThreshold
            let possibleAt = textOnly ? policy.highThreshold : policy.lowThreshold
            let basis = textOnly ? "text only" : "shared \(shared.joined(separator: ", "))"
            var verdict: Verdict = similarity >= duplicateAt ? .duplicate : similarity >= possibleAt ? .possible : .belowThreshold
            var reason = "\(basis): duplicate at \(duplicateAt), possible at \(possibleAt)"

            if let ours = categoryCode, let theirs = candidate.categoryCode, ours != theirs {
                if similarity >= policy.crossCategoryThreshold {
                    verdict = .duplicate
                    reason += "; categories \(ours) ≠ \(theirs) but near-identical (≥ \(policy.crossCategoryThreshold))"
                } else if verdict == .duplicate {
                    verdict = .possible
                    reason += "; categories \(ours) ≠ \(theirs): a duplicate needs \(policy.crossCategoryThreshold), kept as possible"
                } else {
                    verdict = .otherCategory
                    reason += "; categories \(ours) ≠ \(theirs)"
                }
            }
            consideration.verdict = verdict
            consideration.reason = reason
            consideration.mayBeContained = verdict == .possible && !textOnly && !reason.contains("categories")

            guard verdict == .duplicate || verdict == .possible else { continue }
            let entry = (verdict: verdict, similarity: similarity, receivedAt: candidate.receivedAt, id: candidate.id)
            if let current = best {
                if isBetter(entry, than: current) { best = entry }
            } else {
                best = entry
            }
        }

        let outcome: Outcome
        switch best {
        case let best? where best.verdict == .duplicate: outcome = .duplicate(of: best.id, similarity: best.similarity)
        case let best?: outcome = .possible(of: best.id, similarity: best.similarity)
        case nil: outcome = .new
        }
        return DedupDecision(outcome: outcome, considered: considered)
    }

    /// The decision with the texts of its closest candidates compared, not only their
    /// signatures:
    /// - a duplicate whose text differs from ours in a crucial fact (`CrucialFacts`) becomes
    ///   a possible duplicate: two plots, two years, two permits are two demands, shown to a
    ///   person as alike but not linked;
    /// - a possible duplicate of the same enterprise and category whose text contains ours,
    ///   or is contained in it (`containmentThreshold` of the shorter text's shingles), with
    ///   no crucial fact changed, becomes a duplicate: a re-send with a reminder sentence
    ///   added ("已经反映过一次了，请尽快回复") is the same demand, though the sentence lowers the
    ///   Jaccard similarity below the threshold.
    /// - Parameter candidateText: a candidate's text by case id; nil when it cannot be read
    ///   (the verdict then stands).
    public func checkingText(
        of text: String, policy: DedupPolicy = DedupPolicy(), candidateText: (String) throws -> String?
    ) rethrows -> DedupDecision {
        var checked = self
        var changed = false
        for index in checked.considered.indices {
            let consideration = checked.considered[index]
            guard consideration.verdict == .duplicate || consideration.mayBeContained,
                  let theirs = try candidateText(consideration.candidateID) else { continue }
            if let fact = CrucialFacts.conflict(text, theirs) {
                if consideration.verdict == .duplicate {
                    checked.considered[index].verdict = .possible
                    checked.considered[index].reason += "; differs in a crucial fact: \(fact), kept as possible"
                    changed = true
                }
            } else if consideration.verdict == .possible {
                let containment = MinHashSignature.exactContainment(text, theirs)
                if containment >= policy.containmentThreshold {
                    checked.considered[index].verdict = .duplicate
                    checked.considered[index].reason += "; one text contains the other (\((containment * 1000).rounded() / 1000) ≥ \(policy.containmentThreshold)): a re-send with words added"
                    changed = true
                }
            }
        }
        guard changed else { return self }
        // The best remaining: duplicates before possibles, then the highest similarity, then
        // the smallest id (UUIDv7: the earliest).
        let best = checked.considered.filter { $0.verdict == .duplicate || $0.verdict == .possible }.min { x, y in
            if x.verdict != y.verdict { return x.verdict == .duplicate }
            if x.similarity != y.similarity { return x.similarity > y.similarity }
            return x.candidateID < y.candidateID
        }
        switch best {
        case let best? where best.verdict == .duplicate: checked.outcome = .duplicate(of: best.candidateID, similarity: best.similarity)
        case let best?: checked.outcome = .possible(of: best.candidateID, similarity: best.similarity)
        case nil: checked.outcome = .new
        }
        return checked
    }

    private static func isBetter(
        _ entry: (verdict: Verdict, similarity: Double, receivedAt: Date, id: String),
        than current: (verdict: Verdict, similarity: Double, receivedAt: Date, id: String)
    ) -> Bool {
        if entry.verdict != current.verdict { return entry.verdict == .duplicate }
        if entry.similarity != current.similarity { return entry.similarity > current.similarity }
        if entry.receivedAt != current.receivedAt { return entry.receivedAt < current.receivedAt }
        return entry.id < current.id
    }
}
