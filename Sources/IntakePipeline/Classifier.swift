import IntakeCore

/// The category decision for one case, with what decided it.
public struct Classification: Sendable, Hashable {
    public var category: Category
    public var department: String?
    public var deadlineWorkingDays: Int
    /// What decided it: the source label that mapped (`by: .source`), or the keywords of the
    /// chosen category that occurred, each as `term:weight` (`by: .rules`); empty for
    /// `.default`.
    public var matchedTerms: [String]
    /// The chosen category's keyword score; 0 when the source category decided (the text is
    /// then not searched), the best score found (below the minimum) for `.default`.
    public var score: Int
}

/// Chooses a case's category from a taxonomy: the source category when it maps, else the
/// keyword rules, else the default. Build it once and share it; `classify` only reads.
public struct Classifier: Sendable {
    public let taxonomy: Taxonomy
    private let bySynonym: [String: Int]
    private let keywords: KeywordIndex
    /// Trained on the examples file; nil without one (keywords alone decide).
    public let model: ExampleModel?
    /// How much one point of keyword score counts against the model's log-likelihood;
    /// chosen by 5-fold cross-validation on the training examples (`intake-bench
    /// --classification`), never on the held-out set.
    public static let defaultKeywordWeight = 6.0
    public let keywordWeight: Double

    public init(
        taxonomy: Taxonomy, examples: [ClassificationExample] = [], keywordWeight: Double = Self.defaultKeywordWeight,
        smoothing: Double = ExampleModel.smoothing
    ) {
        self.keywordWeight = keywordWeight
        self.taxonomy = taxonomy
        var bySynonym: [String: Int] = [:]
        for (index, category) in taxonomy.categories.enumerated() {
            for label in [category.label] + category.synonyms {
                // The first category to claim a label keeps it; the loader refuses repeats.
                if bySynonym[Self.normalizedLabel(label)] == nil { bySynonym[Self.normalizedLabel(label)] = index }
            }
        }
        self.bySynonym = bySynonym
        keywords = KeywordIndex(taxonomy.categories)
        let indices = Dictionary(taxonomy.categories.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
        let model = ExampleModel(examples: examples, categories: taxonomy.categories.count, categoryIndex: { indices[$0] }, smoothing: smoothing)
        self.model = model.isEmpty ? nil : model
    }

    public func classify(sourceCategory: String?, subject: String?, description: String) -> Classification {
        if let sourceCategory, let index = bySynonym[Self.normalizedLabel(sourceCategory)] {
            return decision(index, by: .source, terms: [sourceCategory.trimmingCharactersInWhitespace()], score: 0)
        }
        var found: [Int] = []
        // Traditional characters read as simplified: the keywords are written in simplified.
        if let subject { keywords.scan(ChineseScript.simplified(subject), into: &found) }
        keywords.scan(ChineseScript.simplified(description), into: &found)
        var scores = [Int](repeating: 0, count: taxonomy.categories.count)
        for index in found { scores[keywords.entries[index].category] += keywords.entries[index].weight }
        if let model {
            return decideWithModel(model, text: [subject, description].compactMap { $0 }.joined(separator: " "), keywordScores: scores, found: found)
        }
        guard !found.isEmpty else { return decision(taxonomy.defaultIndex, by: .default, terms: [], score: 0) }
        var best = 0
        for index in scores.indices where scores[index] > scores[best] { best = index }
        guard scores[best] >= taxonomy.minimumScore else {
            return decision(taxonomy.defaultIndex, by: .default, terms: [], score: scores[best])
        }
        // In file order, so the explanation reads like the taxonomy.
        let terms = found.sorted().compactMap { index -> String? in
            let entry = keywords.entries[index]
            return entry.category == best ? "\(entry.term):\(entry.weight)" : nil
        }
        return decision(best, by: .rules, terms: terms, score: scores[best])
    }

    /// The examples model's log-likelihood plus `keywordWeight` per keyword point: the
    /// keywords are priors, the examples say how enterprises really write. The explanation
    /// lists the chosen category's keywords that occurred (`term:weight`) and the n-grams that
    /// favoured it most over the runner-up (`~人才公寓`).
    private func decideWithModel(_ model: ExampleModel, text: String, keywordScores: [Int], found: [Int]) -> Classification {
        let scalars = ExampleModel.scalars(text)
        let likelihoods = model.scores(scalars)
        guard likelihoods.count == keywordScores.count, scalars.count >= 2 else {
            return decision(taxonomy.defaultIndex, by: .default, terms: [], score: 0)
        }
        let combined = likelihoods.indices.map { likelihoods[$0] + keywordWeight * Double(keywordScores[$0]) }
        var best = 0
        for index in combined.indices where combined[index] > combined[best] { best = index }
        var runnerUp = best == 0 ? 1 : 0
        for index in combined.indices where index != best && combined[index] > combined[runnerUp] { runnerUp = index }
        let terms = found.sorted().compactMap { index -> String? in
            let entry = keywords.entries[index]
            return entry.category == best ? "\(entry.term):\(entry.weight)" : nil
        }
        let evidence = model.evidence(scalars, for: best, against: runnerUp).map { "~" + $0 }
        return decision(best, by: .model, terms: terms + evidence, score: keywordScores[best])
    }

    private func decision(_ index: Int, by: Category.Decision, terms: [String], score: Int) -> Classification {
        let entry = taxonomy.categories[index]
        return Classification(
            category: Category(code: entry.code, label: entry.label, by: by), department: entry.department,
            deadlineWorkingDays: entry.deadlineWorkingDays, matchedTerms: terms, score: score)
    }

    /// How source labels are compared: whitespace trimmed and folded, full-width forms
    /// folded, traditional characters as simplified, letters without case.
    static func normalizedLabel(_ label: String) -> String {
        KeywordIndex.fold(TextNormalizer.matchingLine(label))
    }
}

extension String {
    fileprivate func trimmingCharactersInWhitespace() -> String {
        TextNormalizer.line(self)
    }
}
