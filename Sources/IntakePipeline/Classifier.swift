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

    public init(taxonomy: Taxonomy) {
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
    }

    public func classify(sourceCategory: String?, subject: String?, description: String) -> Classification {
        if let sourceCategory, let index = bySynonym[Self.normalizedLabel(sourceCategory)] {
            return decision(index, by: .source, terms: [sourceCategory.trimmingCharactersInWhitespace()], score: 0)
        }
        var found: [Int] = []
        // Traditional characters read as simplified: the keywords are written in simplified.
        if let subject { keywords.scan(ChineseScript.simplified(subject), into: &found) }
        keywords.scan(ChineseScript.simplified(description), into: &found)
        guard !found.isEmpty else { return decision(taxonomy.defaultIndex, by: .default, terms: [], score: 0) }
        var scores = [Int](repeating: 0, count: taxonomy.categories.count)
        for index in found { scores[keywords.entries[index].category] += keywords.entries[index].weight }
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
