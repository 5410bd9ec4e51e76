import Crypto
import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore

/// A case made ready outside the writer from one item of a source that sends the same
/// items again — a hotline row, a visit's demand — with the fingerprint of its content.
struct VersionedCase: Sendable {
    var intakeCase: IntakeCase
    var document: Data
    var contentSHA256: String
    var changes: [String: JSONValue]
    /// Where the item was, for its `received` step (`file` and `line`, `visit_id` and `demand`).
    var origin: [String: JSONValue]
    /// For cross-channel deduplication; nil when it is off.
    var probe: DedupProbe?

    init(_ intakeCase: IntakeCase, changes: [String: JSONValue], origin: [String: JSONValue], probe: DedupProbe?) {
        self.intakeCase = intakeCase
        self.probe = probe
        self.document = (try? intakeCase.encoded()) ?? Data()
        self.contentSHA256 = Self.fingerprint(intakeCase)
        self.changes = changes
        self.origin = origin
    }

    /// What the source said in the mapped fields, without what the gateway added (id,
    /// arrival, raw input): equal for an unchanged item sent again. Unmapped fields are left
    /// out: exports number their rows (序号) and stamp them, which is not a change.
    static func fingerprint(_ intakeCase: IntakeCase) -> String {
        var content = intakeCase
        content.id = ""
        content.receivedAt = ""
        content.rawSHA256 = ""
        content.extra = content.extra.filter { $0.key == "category" }
        return SHA256.hash(data: (try? content.encoded()) ?? Data()).hexString
    }
}

/// What taking an item did.
enum Taken: Sendable {
    /// A new case; `duplicate` when deduplication found it raised before through another
    /// door (`case.duplicate`, linked by `duplicate_of`).
    case created, duplicate, updated, repeated
}

extension IntakeTransaction {
    /// One item in the transaction: a new case; a new version of its case (`case.updated`);
    /// or a repeat — the latest version or any earlier one (an older export or upload sent
    /// again must not turn the case back).
    func take(_ item: VersionedCase) throws -> (caseID: String, taken: Taken) {
        let channel = item.intakeCase.channel
        let source = item.intakeCase.source
        let ref = item.intakeCase.ref
        let received = TraceStep(
            "received", at: now, channel: channel, source: source, ref: ref, rawSHA256: item.intakeCase.rawSHA256, detail: item.origin)
        guard let existing = try ledgerEntry(channel: channel, source: source, ref: ref) else {
            var steps = [received, TraceStep("normalised", channel: channel, source: source, ref: ref, caseID: item.intakeCase.id, detail: item.changes)]
            steps[0].caseID = item.intakeCase.id
            steps.append(TraceStep("stored", channel: channel, source: source, ref: ref, caseID: item.intakeCase.id, rawSHA256: item.intakeCase.rawSHA256))
            let outcome = try insertNew(
                item.intakeCase, document: item.document, contentSHA256: item.contentSHA256, probe: item.probe, steps: steps)
            try rememberContent(channel: channel, source: source, ref: ref, contentSHA256: item.contentSHA256)
            if case .duplicate = outcome { return (item.intakeCase.id, .duplicate) }
            return (item.intakeCase.id, .created)
        }
        let seenBefore = try contentSeen(channel: channel, source: source, ref: ref, contentSHA256: item.contentSHA256)
        if existing.contentSHA256 == item.contentSHA256 || seenBefore { return (existing.caseID ?? "", .repeated) }
        try rememberContent(channel: channel, source: source, ref: ref, contentSHA256: item.contentSHA256)
        var updated = item.intakeCase
        updated.id = existing.caseID ?? item.intakeCase.id
        var step = received
        step.caseID = updated.id
        step.detail["changed"] = .bool(true)
        try updateCase(updated, document: try updated.encoded(), contentSHA256: item.contentSHA256, steps: [step])
        try reindex(caseID: updated.id, probe: item.probe)
        return (updated.id, .updated)
    }
}
