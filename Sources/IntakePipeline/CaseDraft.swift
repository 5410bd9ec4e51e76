import Foundation
import IntakeCore

/// A request as a channel read it, before normalisation: values as the source gave them,
/// already under canonical names. Each channel's mapping produces drafts; `CaseNormalizer`
/// turns them into cases.
public struct CaseDraft: Sendable, Hashable {
    public var ref: String?
    public var reportedAt: Date?
    public var requesterName: String?
    public var requesterPhone: String?
    public var requesterEmail: String?
    public var requesterRole: String?
    public var enterpriseName: String?
    public var enterpriseUSCC: String?
    public var subject: String?
    public var description: String
    /// The source's own category label, kept for classification.
    public var sourceCategory: String?
    public var priority: Priority
    public var address: String?
    public var district: String?
    public var attachments: [Attachment]
    public var extra: [String: JSONValue]

    public init(
        ref: String? = nil, reportedAt: Date? = nil, requesterName: String? = nil, requesterPhone: String? = nil,
        requesterEmail: String? = nil, requesterRole: String? = nil, enterpriseName: String? = nil,
        enterpriseUSCC: String? = nil, subject: String? = nil, description: String, sourceCategory: String? = nil,
        priority: Priority = .normal, address: String? = nil, district: String? = nil, attachments: [Attachment] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.ref = ref
        self.reportedAt = reportedAt
        self.requesterName = requesterName
        self.requesterPhone = requesterPhone
        self.requesterEmail = requesterEmail
        self.requesterRole = requesterRole
        self.enterpriseName = enterpriseName
        self.enterpriseUSCC = enterpriseUSCC
        self.subject = subject
        self.description = description
        self.sourceCategory = sourceCategory
        self.priority = priority
        self.address = address
        self.district = district
        self.attachments = attachments
        self.extra = extra
    }
}
