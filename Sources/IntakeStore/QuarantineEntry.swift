import Foundation
import IntakeCore

/// Input that could not become a case: a row of an export (kept with the header it came
/// under, so that it can be mapped again) or a whole file (no usable header).
public struct QuarantineEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case row
        case file
    }

    public var id: Int64?
    public var channel: Channel
    public var source: String
    public var kind: Kind
    public var fileName: String
    public var rawSHA256: String
    /// The row's line in the file (0 for a whole file).
    public var line: Int
    public var reason: String
    public var header: [String]?
    public var fields: [String]?
    /// The row as it was written, for people.
    public var text: String?
    public var createdAt: Date?
    public var resolvedAt: Date?
    public var resolvedBy: String?
    /// What the reprocessing did: the case it made, or why it was set aside.
    public var resolution: String?

    public init(
        channel: Channel, source: String, kind: Kind, fileName: String, rawSHA256: String, line: Int = 0, reason: String,
        header: [String]? = nil, fields: [String]? = nil, text: String? = nil
    ) {
        self.channel = channel
        self.source = source
        self.kind = kind
        self.fileName = fileName
        self.rawSHA256 = rawSHA256
        self.line = line
        self.reason = reason
        self.header = header
        self.fields = fields
        self.text = text
    }
}
