/// What admission did with one item: the one vocabulary of every channel's answers, reports,
/// metrics and log lines.
public enum AdmissionOutcome: Sendable, Hashable {
    /// A new case (`case.created`); `possibleDuplicateOf` when deduplication saw a looser match.
    case created(caseID: String, possibleDuplicateOf: String?)
    /// A new case linked to one raised before (`case.duplicate`, `duplicate_of`).
    case duplicate(caseID: String, of: String, similarity: Double)
    /// A new case answering an earlier one (`case.followup`, `followup_of`).
    case followup(caseID: String, of: String)
    /// A new version of a case from its source (`case.updated` was queued).
    case updated(caseID: String)
    /// Already taken: the existing case, nothing queued (nil for an input taken without a
    /// case, such as an ignored auto-reply).
    case `repeat`(caseID: String?)

    /// The word in answers, reports and metric labels.
    public var status: String {
        switch self {
        case .created: "created"
        case .duplicate: "duplicate"
        case .followup: "followup"
        case .updated: "updated"
        case .repeat: "repeat"
        }
    }

    public var caseID: String? {
        switch self {
        case .created(let id, _), .duplicate(let id, _, _), .followup(let id, _), .updated(let id): id
        case .repeat(let id): id
        }
    }

    /// A new case of its own (`created` or `duplicate`): not an answer to an earlier one, not a repeat.
    public var isNewRequest: Bool {
        switch self {
        case .created, .duplicate: true
        case .followup, .updated, .repeat: false
        }
    }

    /// An event was queued for the routing queue.
    public var queued: Bool {
        if case .repeat = self { return false }
        return true
    }

    /// Every status, in the order reports list them.
    public static let statuses = ["created", "duplicate", "followup", "updated", "repeat"]
}

/// How many items of a batch, a file or a poll ended in each outcome.
public struct AdmissionCounts: Sendable, Hashable {
    /// New cases not linked to another (`case.created`).
    public var created = 0
    public var duplicates = 0
    public var followups = 0
    public var updated = 0
    public var repeats = 0

    public init(_ outcomes: some Sequence<AdmissionOutcome> = []) {
        for outcome in outcomes { add(outcome) }
    }

    public mutating func add(_ outcome: AdmissionOutcome) {
        switch outcome {
        case .created: created += 1
        case .duplicate: duplicates += 1
        case .followup: followups += 1
        case .updated: updated += 1
        case .repeat: repeats += 1
        }
    }

    /// Cases that did not exist before: created, duplicates and follow-ups.
    public var newCases: Int { created + duplicates + followups }
}
