import IntakeCore
import Foundation

/// A mistake in a configuration or mapping file, with the file, line and column it is at:
/// what `intake check` prints, one per line.
public struct ConfigurationIssue: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The option, dotted: `webhook.sources[0].secret_file`.
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
