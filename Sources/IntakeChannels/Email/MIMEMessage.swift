import Foundation

/// A parsed email: its headers decoded, its body text for people, its attachments, and
/// everything that did not decode cleanly.
public struct MIMEMessage: Sendable {
    /// Headers in order, unfolded; values with RFC 2047 encoded words decoded.
    public var headers: [MIMEHeaderField]
    /// Without `< >`.
    public var messageID: String?
    /// Message ids without `< >`.
    public var inReplyTo: [String]
    public var references: [String]
    public var subject: String?
    public var fromName: String?
    /// Lower-cased.
    public var fromAddress: String?
    /// The Date header (RFC 5322, obsolete forms included); nil when absent or unparseable.
    public var date: Date?
    /// The body for people: text/plain preferred (format=flowed joined), else the HTML body
    /// as text; further inline text parts of a multipart/mixed appended. Line ends are "\n".
    public var text: String
    public var attachments: [MIMEAttachment]
    /// What did not decode cleanly, each naming where ("part 1.2: …", "header Subject: …").
    public var problems: [String]
    /// A `multipart/report` (delivery status notification) at the top of the message.
    public var isReport: Bool

    public init(
        headers: [MIMEHeaderField] = [], messageID: String? = nil, inReplyTo: [String] = [], references: [String] = [],
        subject: String? = nil, fromName: String? = nil, fromAddress: String? = nil, date: Date? = nil, text: String = "",
        attachments: [MIMEAttachment] = [], problems: [String] = [], isReport: Bool = false
    ) {
        self.headers = headers
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.subject = subject
        self.fromName = fromName
        self.fromAddress = fromAddress
        self.date = date
        self.text = text
        self.attachments = attachments
        self.problems = problems
        self.isReport = isReport
    }

    /// The first header of that name (case-insensitive), decoded.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every header of that name (case-insensitive), in order, decoded.
    public func headers(named name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }
}
