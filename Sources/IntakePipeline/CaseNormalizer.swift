import Foundation
import IntakeCore

/// Turns a channel's draft into a canonical case: text to NFC with whitespace and full-width
/// letters and digits folded (punctuation as written), phones to E.164 through libphonenumber,
/// USCCs checked, timestamps in the zone's offset.
public struct CaseNormalizer: Sendable {
    public var timestamps: Timestamp
    /// Given to 7- and 8-digit local phone numbers (`022` for Tianjin).
    public var defaultAreaCode: String

    /// Category, department hint and due date (`channels/taxonomy.yaml`,
    /// `channels/holidays.yaml`); without them a case has none.
    public var classifier: Classifier?
    public var calendar: WorkingCalendar
    /// Cross-channel deduplication's thresholds and window; nil turns it off.
    public var dedup: DedupPolicy?

    public init(
        timeZone: TimeZone, defaultAreaCode: String, classifier: Classifier? = nil, calendar: WorkingCalendar = .weekendsOnly,
        dedup: DedupPolicy? = nil
    ) {
        self.timestamps = Timestamp(timeZone: timeZone)
        self.defaultAreaCode = defaultAreaCode
        self.classifier = classifier
        self.calendar = calendar
        self.dedup = dedup
    }

    /// Where a case comes from: everything the channel knows that is not in the draft.
    public struct Origin: Sendable {
        public var channel: Channel
        public var source: String
        public var ref: String
        public var receivedAt: Date
        public var rawSHA256: String

        public init(channel: Channel, source: String, ref: String, receivedAt: Date, rawSHA256: String) {
            self.channel = channel
            self.source = source
            self.ref = ref
            self.receivedAt = receivedAt
            self.rawSHA256 = rawSHA256
        }
    }

    /// The case, and what normalisation changed, for the trace.
    public func makeCase(id: String, origin: Origin, draft: CaseDraft) -> (IntakeCase, changes: [String: JSONValue]) {
        var changes: [String: JSONValue] = [:]
        let phone = line(draft.requesterPhone).map { PhoneNumber($0, defaultAreaCode: defaultAreaCode) }
        if let phone {
            changes["requester.phone"] = phone.e164.map { .string("\(phone.given) → \($0)\(phone.extensionDigits.map { " ext. \($0)" } ?? "")") }
                ?? .string("kept as given: \(phone.given)")
        }
        // Checked on the text as written: an invalid code is kept exactly so (trimmed).
        let uscc = line(draft.enterpriseUSCC) == nil ? nil : draft.enterpriseUSCC.map(USCC.init)
        if let uscc { changes["enterprise.uscc_valid"] = .bool(uscc.isValid) }
        let description = TextNormalizer.block(draft.description)
        if description != draft.description { changes["description"] = .string("normalised") }
        var extra = draft.extra
        if let sourceCategory = line(draft.sourceCategory) {
            extra["category"] = .string(sourceCategory)
        }
        let location = Location(address: line(draft.address), district: line(draft.district))
        var intakeCase = IntakeCase(
            id: id, channel: origin.channel, source: origin.source, ref: origin.ref,
            receivedAt: timestamps.format(origin.receivedAt), rawSHA256: origin.rawSHA256,
            reportedAt: draft.reportedAt.map(timestamps.format),
            requester: Requester(
                name: line(draft.requesterName), phone: phone?.canonical, phoneExtension: phone?.extensionDigits,
                email: line(draft.requesterEmail)?.lowercased(), role: line(draft.requesterRole)),
            enterprise: Enterprise(name: line(draft.enterpriseName), uscc: uscc),
            subject: line(draft.subject), description: description, priority: draft.priority,
            location: location.address == nil && location.district == nil ? nil : location,
            attachments: draft.attachments, extra: extra)
        if let classifier {
            let classification = classifier.classify(
                sourceCategory: line(draft.sourceCategory), subject: intakeCase.subject, description: description)
            intakeCase.category = classification.category
            intakeCase.department = classification.department
            // Counted from when the requester raised it; from arrival when that is unknown.
            let due = calendar.dueDate(
                from: draft.reportedAt ?? origin.receivedAt, workingDays: classification.deadlineWorkingDays,
                urgent: draft.priority == .urgent, timeZone: timestamps.timeZone)
            intakeCase.dueAt = timestamps.format(due)
            changes["category"] = .object([
                "code": .string(classification.category.code), "by": .string(classification.category.by.rawValue),
                "matched": .array(classification.matchedTerms.map(JSONValue.string)),
                "working_days": .number(Double(classification.deadlineWorkingDays)),
            ])
        }
        return (intakeCase, changes)
    }

    /// The normalised line, or nil when nothing but whitespace was given.
    private func line(_ text: String?) -> String? {
        guard let text else { return nil }
        let normalized = TextNormalizer.line(text)
        return normalized.isEmpty ? nil : normalized
    }
}
