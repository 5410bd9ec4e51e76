import IntakeCore

/// Everything wrong with a hotline mapping file; `intake check` prints one issue per line.
public struct HotlineMappingError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigurationIssue]

    public init(issues: [ConfigurationIssue]) {
        self.issues = issues
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
