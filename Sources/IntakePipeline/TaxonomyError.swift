/// Mistakes found in a taxonomy or holiday file, every one with the file, line and column
/// it is at; loading collects all of them rather than stopping at the first.
public struct TaxonomyError: Error, Sendable, CustomStringConvertible {
    /// One mistake: where it is and what is wrong.
    public struct Issue: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var column: Int?
        /// The option, dotted: `categories[2].keywords.用地指标`.
        public var option: String
        public var message: String

        public init(file: String, line: Int? = nil, column: Int? = nil, option: String, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.option = option
            self.message = message
        }

        public var description: String {
            let place = [file, line.map(String.init), column.map(String.init)].compactMap { $0 }.joined(separator: ":")
            return option.isEmpty ? "\(place): \(message)" : "\(place): \(option): \(message)"
        }
    }

    public var issues: [Issue]

    public init(issues: [Issue]) {
        self.issues = issues
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
