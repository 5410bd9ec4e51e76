import Foundation

/// One labelled pair of the evaluation set (`bench/dedup_pairs.jsonl`).
public struct DedupPair: Sendable, Codable, Equatable {
    public var a: String
    public var b: String
    public var duplicate: Bool
    public var kind: String

    public init(a: String, b: String, duplicate: Bool, kind: String) {
        self.a = a
        self.b = b
        self.duplicate = duplicate
        self.kind = kind
    }

    /// Parses JSON Lines; blank lines are skipped.
    public static func parseLines(_ data: Data) throws -> [DedupPair] {
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) ? nil : try decoder.decode(DedupPair.self, from: Data(line))
        }
    }
}

/// Precision and recall of text similarity alone (MinHash estimate at the high threshold,
/// then the crucial-fact check) on labelled pairs: the part of deduplication that identity
/// blocking cannot fix.
public enum DedupEvaluation {
    public struct KindResult: Sendable, Equatable {
        public var pairs = 0
        /// Pairs judged duplicates (similarity ≥ threshold).
        public var flagged = 0
        /// Pairs labelled duplicates and judged duplicates.
        public var correct = 0
        public var labelledDuplicate = 0
        public var meanSimilarity = 0.0
        /// Recall for kinds labelled duplicate; the false-positive rate for the others.
        public var rate: Double { labelledDuplicate > 0 ? Double(correct) / Double(labelledDuplicate) : Double(flagged) / Double(max(pairs, 1)) }
    }

    public struct Result: Sendable, Equatable {
        public var precision: Double
        public var recall: Double
        public var byKind: [String: KindResult]
    }

    public static func run(pairs: [DedupPair], policy: DedupPolicy = DedupPolicy()) -> Result {
        let threshold = policy.highThreshold
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        var byKind: [String: KindResult] = [:]
        for pair in pairs {
            let similarity = MinHashSignature(text: pair.a).estimatedSimilarity(MinHashSignature(text: pair.b))
            // As `DedupDecision.checkingText` judges two texts of one enterprise and category.
            let flagged = similarity >= policy.lowThreshold && CrucialFacts.conflict(pair.a, pair.b) == nil
                && (similarity >= threshold || MinHashSignature.exactContainment(pair.a, pair.b) >= policy.containmentThreshold)
            var kind = byKind[pair.kind, default: KindResult()]
            kind.meanSimilarity += similarity
            kind.pairs += 1
            if flagged { kind.flagged += 1 }
            if pair.duplicate {
                kind.labelledDuplicate += 1
                if flagged { truePositives += 1; kind.correct += 1 } else { falseNegatives += 1 }
            } else if flagged {
                falsePositives += 1
            }
            byKind[pair.kind] = kind
        }
        for key in byKind.keys { byKind[key]!.meanSimilarity /= Double(byKind[key]!.pairs) }
        let precision = truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives)
        let recall = truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives)
        return Result(precision: precision, recall: recall, byKind: byKind)
    }
}
