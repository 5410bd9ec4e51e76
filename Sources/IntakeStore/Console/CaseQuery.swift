import Foundation

/// What the console's case search asks for: every field given narrows the result.
public struct CaseQuery: Sendable, Hashable {
    /// A case id, or its last 12 hex digits (the token in an email subject).
    public var caseID: String?
    public var ref: String?
    public var idempotencyKey: String?
    /// An enterprise's name (any part of it) or its USCC.
    public var enterprise: String?
    /// As the requester wrote it: normalised like a case's phone before it is compared.
    public var phone: String?
    public var email: String?
    public var channel: String?
    /// A category code (`land`, `permits`, …).
    public var category: String?
    /// Received at or after.
    public var from: Date?
    /// Received before.
    public var until: Date?
    public var page = 1
    public var pageSize = 20

    public init() {}

    public var isEmpty: Bool {
        [caseID, ref, idempotencyKey, enterprise, phone, email, channel, category].allSatisfy { $0 == nil } && from == nil && until == nil
    }
}

/// A case as a list shows it: enough to recognise it, the document stays in the store.
public struct CaseSummary: Sendable, Hashable {
    public let id: String
    public let channel: String
    public let source: String
    public let ref: String
    public let receivedAt: Date
    public let subject: String?
    public let description: String
    public let enterpriseName: String?
    public let uscc: String?
    public let categoryLabel: String?
    public let duplicateOf: String?
    public let possibleDuplicateOf: String?
    public let followupOf: String?
}

/// One page of a search, with the number of cases that match in all.
public struct CasePage: Sendable {
    public let cases: [CaseSummary]
    public let total: Int
    public let page: Int
    public let pageSize: Int

    public var pageCount: Int { max(1, (total + pageSize - 1) / pageSize) }
}
