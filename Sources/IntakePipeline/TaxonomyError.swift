import IntakeCore

/// Mistakes found in a taxonomy or holiday file, every one with the file, line and column
/// it is at; loading collects all of them rather than stopping at the first.
public struct TaxonomyError: Error, Sendable, CustomStringConvertible {
    /// One mistake: where it is and what is wrong.
    public typealias Issue = ConfigurationIssue

    public var issues: [Issue]

    public init(issues: [Issue]) {
        self.issues = issues
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
