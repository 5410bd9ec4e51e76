/// The canonical case, schema `intake.case.v1`: what every channel turns a request into and
/// what the routing queue receives inside an event. Field names are the schema's, snake_case.
public struct IntakeCase: Sendable, Hashable, Codable {
    public static let schemaName = "intake.case.v1"

    public var schema: String = IntakeCase.schemaName
    public var id: String
    public var channel: Channel
    public var source: String
    public var ref: String
    public var receivedAt: String
    public var rawSHA256: String
    public var reportedAt: String?
    public var requester: Requester
    public var enterprise: Enterprise
    public var subject: String?
    public var description: String
    public var category: Category?
    public var department: String?
    public var dueAt: String?
    public var priority: Priority
    public var location: Location?
    public var attachments: [Attachment]
    public var extra: [String: JSONValue]
    public var duplicateOf: String?
    public var similarity: Double?
    public var possibleDuplicateOf: String?
    public var followupOf: String?
    /// Set when the case's personal data was erased on request (`intake erase`): the case is
    /// then its tombstone, ids, dates and category only.
    public var erased: Erasure?

    public init(
        id: String, channel: Channel, source: String, ref: String, receivedAt: String, rawSHA256: String,
        reportedAt: String? = nil, requester: Requester = Requester(), enterprise: Enterprise = Enterprise(),
        subject: String? = nil, description: String, category: Category? = nil, department: String? = nil,
        dueAt: String? = nil, priority: Priority = .normal, location: Location? = nil,
        attachments: [Attachment] = [], extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.channel = channel
        self.source = source
        self.ref = ref
        self.receivedAt = receivedAt
        self.rawSHA256 = rawSHA256
        self.reportedAt = reportedAt
        self.requester = requester
        self.enterprise = enterprise
        self.subject = subject
        self.description = description
        self.category = category
        self.department = department
        self.dueAt = dueAt
        self.priority = priority
        self.location = location
        self.attachments = attachments
        self.extra = extra
    }

    enum CodingKeys: String, CodingKey {
        case schema, id, channel, source, ref
        case receivedAt = "received_at"
        case rawSHA256 = "raw_sha256"
        case reportedAt = "reported_at"
        case requester, enterprise, subject, description, category, department
        case dueAt = "due_at"
        case priority, location, attachments, extra
        case duplicateOf = "duplicate_of"
        case similarity
        case possibleDuplicateOf = "possible_duplicate_of"
        case followupOf = "followup_of"
        case erased
    }
}

/// Who erased a case's personal data, when and why (the tombstone's own record).
public struct Erasure: Sendable, Hashable, Codable {
    public var at: String
    public var by: String
    public var reason: String

    public init(at: String, by: String, reason: String) {
        self.at = at
        self.by = by
        self.reason = reason
    }
}

public enum Channel: String, Sendable, Hashable, Codable, CaseIterable {
    case webhook, email, hotline, visit
}

public enum Priority: String, Sendable, Hashable, Codable {
    case normal, urgent
}

public struct Requester: Sendable, Hashable, Codable {
    public var name: String?
    /// E.164 (`+86…`) when libphonenumber calls it valid, else as given (short codes such as 12345).
    public var phone: String?
    /// The extension's digits (`转8001`, `ext. 8001`, `-8001`), kept apart from the number.
    public var phoneExtension: String?
    public var email: String?
    public var role: String?

    public init(name: String? = nil, phone: String? = nil, phoneExtension: String? = nil, email: String? = nil, role: String? = nil) {
        self.name = name
        self.phone = phone
        self.phoneExtension = phoneExtension
        self.email = email
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case name, phone, email, role
        case phoneExtension = "phone_extension"
    }
}

public struct Enterprise: Sendable, Hashable, Codable {
    public var name: String?
    public var uscc: String?
    /// Set whenever `uscc` is; false keeps an invalid code visible instead of "fixing" it.
    public var usccValid: Bool?

    public init(name: String? = nil, uscc: USCC? = nil) {
        self.name = name
        self.uscc = uscc?.code
        self.usccValid = uscc?.isValid
    }

    enum CodingKeys: String, CodingKey {
        case name, uscc
        case usccValid = "uscc_valid"
    }
}

public struct Category: Sendable, Hashable, Codable {
    /// `model`: the examples model with the keywords as priors (`channels/classification_examples.tsv`).
    public enum Decision: String, Sendable, Hashable, Codable { case source, rules, model, `default` }
    public var code: String
    public var label: String
    public var by: Decision

    public init(code: String, label: String, by: Decision) {
        self.code = code
        self.label = label
        self.by = by
    }
}

public struct Location: Sendable, Hashable, Codable {
    public var address: String?
    public var district: String?

    public init(address: String? = nil, district: String? = nil) {
        self.address = address
        self.district = district
    }
}

public struct Attachment: Sendable, Hashable, Codable {
    public var sha256: String
    public var name: String
    public var mediaType: String
    public var size: Int

    public init(sha256: String, name: String, mediaType: String, size: Int) {
        self.sha256 = sha256
        self.name = name
        self.mediaType = mediaType
        self.size = size
    }

    enum CodingKeys: String, CodingKey {
        case sha256, name
        case mediaType = "media_type"
        case size
    }
}
