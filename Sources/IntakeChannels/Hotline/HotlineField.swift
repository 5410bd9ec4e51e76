import IntakeCore

/// A canonical case field that a hotline export column can fill: the names used in
/// `channels/hotline.yaml`.
enum HotlineField: String, CaseIterable, Sendable {
    case ref
    case reportedAt = "reported_at"
    case requesterName = "requester_name"
    case requesterPhone = "requester_phone"
    case requesterEmail = "requester_email"
    case requesterRole = "requester_role"
    case enterpriseName = "enterprise_name"
    case enterpriseUSCC = "enterprise_uscc"
    case subject
    case description
    case category
    case priority
    case address
    case district

    enum Kind: String { case text, datetime, priority }

    var kind: Kind {
        switch self {
        case .reportedAt: .datetime
        case .priority: .priority
        default: .text
        }
    }
}

/// One field's entry in the mapping: the export headers it accepts, in order of preference.
struct HotlineFieldRule: Sendable {
    var field: HotlineField
    /// As written in the mapping, for messages.
    var headers: [String]
    /// Compared with the export's headers: trimmed, full-width folded, NFC.
    var headerKeys: [String]
    var required: Bool
    /// Only for `priority`: the source's labels (normalised) to canonical values.
    var values: [String: Priority]
    var defaultPriority: Priority

    /// "工单编号, 工单号 or 受理编号"
    var acceptedHeaders: String {
        guard headers.count > 1 else { return headers.first ?? "" }
        return headers.dropLast().joined(separator: ", ") + " or " + headers.last!
    }
}
