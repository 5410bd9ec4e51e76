import Crypto
import Foundation
import IntakeCore
import IntakePipeline

/// One case a channel offers for admission, made ready off the writer: normalised,
/// classified, encoded, with its dedup probe (and, after `IntakeDatabase.findCandidates`, the
/// candidates read from a snapshot). Channels build these from their drafts and nothing
/// more; `IntakeTransaction.admit` decides what becomes of them.
public struct AdmissionItem: Sendable {
    /// How a source ref that was taken before is told apart from a new one.
    public enum Versioning: Sendable, Hashable {
        /// A ref is taken once; the same ref again is a `repeat` (webhook requests, email
        /// messages).
        case once
        /// An item its source sends again (a hotline row, a visit's demand): the same content
        /// as any version taken before is a `repeat`, another content `updated`.
        case versioned
    }

    public var intakeCase: IntakeCase
    public var document: Data
    /// What normalisation changed (the `normalised` step).
    public var changes: [String: JSONValue]
    /// Where the item came from (the `received` step: bytes, file and line, visit and demand).
    public var origin: [String: JSONValue]
    public var versioning: Versioning
    /// For `versioned` items: the fingerprint of what the source said (`fingerprint`).
    public var contentSHA256: String?
    /// For cross-channel deduplication; nil when it is off or the item is a follow-up.
    public var probe: DedupProbe?
    /// The case this one answers (an email reply): a follow-up is linked, not deduplicated.
    public var followupOf: String?
    /// When the input arrived (its `received` step).
    public var receivedAt: Date
    /// Read by `findCandidates` from a snapshot, before the transaction.
    var prefetched: Prefetched?
    /// The `received` and `normalised` steps of a new case, serialised off the writer.
    var tracePrefix: String

    struct Prefetched: Sendable {
        /// The index's committed sequence number the snapshot covers.
        var snapshot: Int64
        var candidates: [IndexedCandidate]
    }

    /// Normalises and classifies a draft, encodes the case and computes its dedup probe. The
    /// case's ref is the draft's when it has one (a demand split from a message), else the origin's.
    public init(
        draft: CaseDraft, origin: CaseNormalizer.Origin, normalizer: CaseNormalizer, versioning: Versioning,
        detail: [String: JSONValue] = [:]
    ) {
        var origin = origin
        if let ref = draft.ref { origin.ref = ref }
        let (intakeCase, changes) = normalizer.makeCase(id: UUIDv7.generate(at: origin.receivedAt), origin: origin, draft: draft)
        self.init(
            intakeCase, changes: changes, origin: detail, versioning: versioning,
            probe: normalizer.dedupProbe(for: intakeCase, reportedAt: draft.reportedAt, receivedAt: origin.receivedAt),
            receivedAt: origin.receivedAt)
    }

    /// A case already made (tests, benchmarks, a channel that built it itself).
    public init(
        _ intakeCase: IntakeCase, changes: [String: JSONValue] = [:], origin: [String: JSONValue] = [:], versioning: Versioning = .once,
        probe: DedupProbe? = nil, receivedAt: Date = Date()
    ) {
        self.intakeCase = intakeCase
        self.document = (try? intakeCase.encoded()) ?? Data()
        self.changes = changes
        self.origin = origin
        self.versioning = versioning
        self.contentSHA256 = versioning == .versioned ? Self.fingerprint(intakeCase) : nil
        self.probe = probe
        self.receivedAt = receivedAt
        tracePrefix = Self.steps([("received", origin), ("normalised", changes)])
    }

    /// Steps as the `admitted` record holds them: `["name",{detail}]`, comma-separated.
    public static func steps(_ steps: [(String, [String: JSONValue])]) -> String {
        steps.map { name, detail in
            (detail.isEmpty ? JSONValue.array([.string(name)]) : JSONValue.array([.string(name), .object(detail)])).serialized()
        }.joined(separator: ",")
    }

    /// The item under another ref (re-encoded).
    public func renamed(_ ref: String) -> AdmissionItem {
        guard ref != intakeCase.ref else { return self }
        var item = self
        item.intakeCase.ref = ref
        item.document = (try? item.intakeCase.encoded()) ?? document
        return item
    }

    /// What the source said in the mapped fields, without what the gateway added (id,
    /// arrival, raw input): equal for an unchanged item sent again. Unmapped fields are left
    /// out: exports number their rows (序号) and stamp them, which is not a change.
    public static func fingerprint(_ intakeCase: IntakeCase) -> String {
        var content = intakeCase
        content.id = ""
        content.receivedAt = ""
        content.rawSHA256 = ""
        content.extra = content.extra.filter { $0.key == "category" }
        return SHA256.hash(data: (try? content.encoded()) ?? Data()).hexString
    }
}

/// A case of the dedup index offered as a candidate: its stored row, and how many LSH bands
/// it shares with the probe.
struct IndexedCandidate: Sendable {
    var seq: Int64
    var candidate: DedupCandidate
    var sharedBands: Int
}
