import IntakeCore

/// The case categories read from `channels/taxonomy.yaml`: what the classifier chooses
/// from, with each category's synonyms, weighted keywords, department hint and deadline.
public struct Taxonomy: Sendable, Hashable {
    /// One category (诉求分类).
    public struct Entry: Sendable, Hashable {
        public var code: String
        public var label: String
        /// Source category labels that map to this category, as written in the file.
        public var synonyms: [String]
        /// Keywords with their weights, in file order.
        public var keywords: [Keyword]
        public var department: String?
        public var deadlineWorkingDays: Int

        public init(
            code: String, label: String, synonyms: [String] = [], keywords: [Keyword] = [],
            department: String? = nil, deadlineWorkingDays: Int
        ) {
            self.code = code
            self.label = label
            self.synonyms = synonyms
            self.keywords = keywords
            self.department = department
            self.deadlineWorkingDays = deadlineWorkingDays
        }
    }

    public struct Keyword: Sendable, Hashable {
        public var term: String
        public var weight: Int

        public init(term: String, weight: Int) {
            self.term = term
            self.weight = weight
        }
    }

    /// In file order, which breaks ties between equal keyword scores.
    public var categories: [Entry]
    /// Index into `categories` of the category used when nothing else decides.
    public var defaultIndex: Int
    /// The keyword score a category needs to be chosen by rules.
    public var minimumScore: Int

    public init(categories: [Entry], defaultIndex: Int, minimumScore: Int = 2) {
        precondition(categories.indices.contains(defaultIndex), "the default category must be one of the categories")
        self.categories = categories
        self.defaultIndex = defaultIndex
        self.minimumScore = minimumScore
    }

    public var defaultCategory: Entry { categories[defaultIndex] }

    public func category(code: String) -> Entry? {
        categories.first { $0.code == code }
    }

    /// Reads and validates a taxonomy file, reporting every mistake with its line and column.
    public static func load(path: String) throws(TaxonomyError) -> Taxonomy {
        var reader = TaxonomyReader(file: path)
        guard let text = reader.yaml.text() else { throw TaxonomyError(issues: reader.yaml.issues) }
        return try reader.read(text)
    }

    /// Parses taxonomy YAML given as text; `file` names it in the mistakes reported.
    public static func parse(_ text: String, file: String = "taxonomy.yaml") throws(TaxonomyError) -> Taxonomy {
        var reader = TaxonomyReader(file: file)
        return try reader.read(text)
    }
}
