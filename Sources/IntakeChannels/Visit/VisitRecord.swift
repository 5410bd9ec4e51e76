import Foundation

/// A field visit as a tablet recorded it (SPEC §3.4): who visited which enterprise when, and
/// what the enterprise asked for. Values are as the device gave them; `CaseNormalizer`
/// normalises them on the way to cases.
public struct VisitRecord: Sendable, Hashable {
    /// The device-generated UUID, lower-cased.
    public var visitID: String
    public var visitedAt: Date
    /// When the device saved the record; uploads may come days later, which is normal.
    public var recordedAt: Date?
    public var enterpriseName: String?
    public var enterpriseUSCC: String?
    public var enterpriseAddress: String?
    public var staffID: String
    public var staffName: String?
    public var staffPhone: String?
    public var participants: [String]
    public var notes: String?
    /// As given, or split from `notes` when the record has no `demands`; never empty for a
    /// valid record.
    public var demands: [VisitDemand]
    public var demandsFromNotes: Bool
    public var attachments: [VisitAttachment]

    public init(
        visitID: String, visitedAt: Date, recordedAt: Date? = nil, enterpriseName: String? = nil,
        enterpriseUSCC: String? = nil, enterpriseAddress: String? = nil, staffID: String, staffName: String? = nil,
        staffPhone: String? = nil, participants: [String] = [], notes: String? = nil, demands: [VisitDemand] = [],
        demandsFromNotes: Bool = false, attachments: [VisitAttachment] = []
    ) {
        self.visitID = visitID
        self.visitedAt = visitedAt
        self.recordedAt = recordedAt
        self.enterpriseName = enterpriseName
        self.enterpriseUSCC = enterpriseUSCC
        self.enterpriseAddress = enterpriseAddress
        self.staffID = staffID
        self.staffName = staffName
        self.staffPhone = staffPhone
        self.participants = participants
        self.notes = notes
        self.demands = demands
        self.demandsFromNotes = demandsFromNotes
        self.attachments = attachments
    }
}

/// One thing the visited enterprise asked for; each becomes its own case.
public struct VisitDemand: Sendable, Hashable {
    public var text: String
    public var category: String?
    public var urgent: Bool

    public init(text: String, category: String? = nil, urgent: Bool = false) {
        self.text = text
        self.category = category
        self.urgent = urgent
    }
}

/// A photo or document of a visit: inline bytes, or the name of a multipart file part that
/// the upload handler resolves.
public struct VisitAttachment: Sendable, Hashable {
    /// Sanitised with `AttachmentName`.
    public var name: String
    public var mediaType: String
    /// Decoded from `content_base64`.
    public var inline: Data?
    /// The multipart part holding the bytes.
    public var part: String?

    public init(name: String, mediaType: String, inline: Data? = nil, part: String? = nil) {
        self.name = name
        self.mediaType = mediaType
        self.inline = inline
        self.part = part
    }
}
