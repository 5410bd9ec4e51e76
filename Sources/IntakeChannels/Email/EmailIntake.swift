import Crypto
import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore
import Logging
import Metrics

/// The email channel's work on one fetched message, independent of IMAP: parse, decide
/// (a request, a follow-up of an earlier case, or noise), and commit — together with the
/// mailbox checkpoint, so that the checkpoint never runs ahead of what is committed.
///
/// Taking the same message again is a no-op: the ledger knows its Message-ID (or, without
/// one, its raw bytes' hash), which is what makes a crash between fetch and commit, and a
/// changed UIDVALIDITY, safe.
public struct EmailIntake: Sendable {
    public struct Settings: Sendable {
        public var source: String
        public var maxAttachmentBytes: Int
        /// A new message enumerating several demands becomes one case per demand.
        public var splitDemands: Bool

        public init(source: String, maxAttachmentBytes: Int = 10 << 20, splitDemands: Bool = false) {
            self.source = source
            self.maxAttachmentBytes = maxAttachmentBytes
            self.splitDemands = splitDemands
        }
    }

    /// What became of a message.
    public enum Outcome: Sendable, Hashable {
        case created(caseID: String)
        /// A new case that deduplication linked to one raised before (`case.duplicate`).
        case duplicate(caseID: String, of: String)
        case followup(caseID: String, of: String)
        /// One case per demand (`split_demands`); `duplicates` of them linked to earlier cases.
        case split(caseIDs: [String], duplicates: Int)
        case ignored(reason: String)
        /// Already taken (by Message-ID or by its bytes).
        case repeated(caseID: String?)
    }

    public let settings: Settings
    /// Replaced by a reload; read once per message.
    let liveNormalizer: Live<CaseNormalizer>
    let database: IntakeDatabase
    let blobs: BlobStore
    let logger: Logger
    private let metrics: EmailMetrics

    public init(settings: Settings, normalizer: Live<CaseNormalizer>, database: IntakeDatabase, blobs: BlobStore, logger: Logger) {
        self.settings = settings
        self.liveNormalizer = normalizer
        self.database = database
        self.blobs = blobs
        self.logger = logger
        metrics = EmailMetrics(source: settings.source)
    }

    /// Takes one message fetched from `mailbox` under `uid`, and moves the mailbox's checkpoint to it.
    public func take(_ raw: Data, mailbox: String, uid: UInt32, uidValidity: UInt32) async throws -> Outcome {
        let receivedAt = Date()
        metrics.received.increment()
        let rawSHA256 = SHA256.hash(data: raw).hexString
        let normalizer = liveNormalizer.value
        let message = MIMEParser.parse(raw, maxAttachmentBytes: settings.maxAttachmentBytes)
        let ref = message.messageID.map { String($0.prefix(500)) } ?? "sha256:\(rawSHA256)"
        let ignoreReason = EmailTriage.ignoreReason(message)
        var draft = EmailTriage.draft(message)
        draft.ref = ref
        if ignoreReason == nil {
            var overLimit: [JSONValue] = []
            for attachment in message.attachments {
                guard let data = attachment.data else {
                    // Over the limit: recorded with its size; its bytes stay in the raw message only.
                    overLimit.append(.object([
                        "name": .string(attachment.name), "media_type": .string(attachment.mediaType), "size": .number(Double(attachment.size)),
                    ]))
                    continue
                }
                let sha256 = try blobs.put(data)
                draft.attachments.append(Attachment(sha256: sha256, name: attachment.name, mediaType: attachment.mediaType, size: attachment.size))
            }
            if !overLimit.isEmpty { draft.extra["attachments_over_limit"] = .array(overLimit) }
        }
        let origin = CaseNormalizer.Origin(channel: .email, source: settings.source, ref: ref, receivedAt: receivedAt, rawSHA256: rawSHA256)
        let (candidate, changes) = normalizer.makeCase(id: UUIDv7.generate(at: receivedAt), origin: origin, draft: draft)
        let probe = ignoreReason == nil ? normalizer.dedupProbe(for: candidate, reportedAt: draft.reportedAt, receivedAt: receivedAt) : nil
        // With `split_demands`, a new message listing several demands is one case each
        // (a reply stays one follow-up, whatever it lists).
        let demands = settings.splitDemands && ignoreReason == nil ? draft.demands(ref: ref) : []
        let pieces: [(IntakeCase, [String: JSONValue], DedupProbe?)] = demands.count < 2 ? [] : demands.map { piece in
            let (intakeCase, changes) = normalizer.makeCase(id: UUIDv7.generate(at: receivedAt), origin: origin, draft: piece)
            return (intakeCase, changes, normalizer.dedupProbe(for: intakeCase, reportedAt: piece.reportedAt, receivedAt: receivedAt))
        }
        let token = message.subject.flatMap(EmailTriage.caseToken(inSubject:))
        // The nearest ancestors first; a long References chain is cut (each id is a lookup
        // inside the single writer's transaction).
        let parents = Array((message.inReplyTo + message.references.reversed()).prefix(20))
        let source = settings.source
        let problems = message.problems
        let received = TraceStep(
            "received", at: receivedAt, channel: .email, source: source, ref: ref, rawSHA256: rawSHA256,
            detail: [
                "mailbox": .string(mailbox), "uid": .number(Double(uid)), "bytes": .number(Double(raw.count)),
                "problems": problems.isEmpty ? .null : .array(problems.map(JSONValue.string)),
            ])
        let outcome = try await database.intake { transaction -> Outcome in
            try transaction.advanceCheckpoint(source: source, mailbox: mailbox, to: MailboxCheckpoint(uidValidity: uidValidity, lastUID: uid))
            if try transaction.rawAlreadyTaken(sha256: rawSHA256, channel: .email) {
                // These very bytes were taken (fetched again after a crash or a new UIDVALIDITY).
                return .repeated(caseID: try transaction.ledgerEntry(channel: .email, source: source, ref: ref)?.caseID)
            }
            var candidate = candidate
            if try transaction.ledgerEntry(channel: .email, source: source, ref: ref) != nil
                || transaction.ledgerEntry(channel: .email, source: source, ref: ref + "#1") != nil
            {
                // Another message under a Message-ID already taken (a broken mailer, a forged
                // header): taken under its own ref, never dropped.
                candidate.ref = "\(ref)#sha256:\(rawSHA256.prefix(16))"
            }
            try transaction.storeRaw(sha256: rawSHA256, channel: .email, source: source, mediaType: "message/rfc822", body: raw)
            if let ignoreReason {
                try transaction.recordIgnored(
                    channel: .email, source: source, ref: candidate.ref, rawSHA256: rawSHA256, reason: ignoreReason,
                    detail: ["mailbox": .string(mailbox), "uid": .number(Double(uid)), "from": message.fromAddress.map(JSONValue.string) ?? .null])
                return .ignored(reason: ignoreReason)
            }
            var parent: String?
            for id in parents where parent == nil { parent = try transaction.caseID(channel: .email, ref: id) }
            if parent == nil, let token { parent = try transaction.caseID(token: token) }
            var steps = [received]
            steps[0].caseID = candidate.id
            steps[0].ref = candidate.ref
            var changes = changes
            if let parent {
                candidate.followupOf = parent
                changes["followup_of"] = .string(parent)
            }
            steps.append(TraceStep("normalised", channel: .email, source: source, ref: candidate.ref, caseID: candidate.id, detail: changes))
            steps.append(TraceStep("stored", channel: .email, source: source, ref: candidate.ref, caseID: candidate.id, rawSHA256: rawSHA256))
            if let parent {
                // A follow-up is linked to its case already: not deduplicated, not indexed.
                try transaction.insertCase(candidate, event: .followup, steps: steps)
                return .followup(caseID: candidate.id, of: parent)
            }
            if !pieces.isEmpty {
                var ids: [String] = []
                var duplicates = 0
                for (index, (piece, pieceChanges, pieceProbe)) in pieces.enumerated() {
                    var piece = piece
                    piece.ref = "\(candidate.ref)#\(index + 1)"
                    var pieceSteps = [received]
                    pieceSteps[0].caseID = piece.id
                    pieceSteps[0].ref = piece.ref
                    pieceSteps.append(TraceStep("normalised", channel: .email, source: source, ref: piece.ref, caseID: piece.id, detail: pieceChanges))
                    pieceSteps.append(TraceStep("stored", channel: .email, source: source, ref: piece.ref, caseID: piece.id, rawSHA256: rawSHA256))
                    let decided = try transaction.insertNew(piece, document: try piece.encoded(), probe: pieceProbe, steps: pieceSteps)
                    if case .duplicate = decided { duplicates += 1 }
                    ids.append(piece.id)
                }
                return .split(caseIDs: ids, duplicates: duplicates)
            }
            let decided = try transaction.insertNew(candidate, document: try candidate.encoded(), probe: probe, steps: steps)
            if case .duplicate(let original, _) = decided { return .duplicate(caseID: candidate.id, of: original) }
            return .created(caseID: candidate.id)
        }
        metrics.record(outcome)
        return outcome
    }
}

extension EmailIntake {
    /// A message the gateway will not fetch (larger than `max_message_bytes`): traced with the
    /// reason and passed over; it stays on the server, untouched, for a person to look at.
    public func refuse(mailbox: String, uid: UInt32, uidValidity: UInt32, reason: String) async throws {
        let source = settings.source
        logger.error("email message refused", metadata: [
            "intake.source": "\(source)", "intake.mailbox": "\(mailbox)", "intake.uid": "\(uid)", "intake.reason": "\(reason)",
        ])
        try await database.intake { transaction in
            try transaction.advanceCheckpoint(source: source, mailbox: mailbox, to: MailboxCheckpoint(uidValidity: uidValidity, lastUID: uid))
            try transaction.trace(TraceStep(
                "refused", channel: .email, source: source, ref: "imap:\(mailbox)/\(uidValidity)/\(uid)",
                detail: ["mailbox": .string(mailbox), "uid": .number(Double(uid)), "reason": .string(reason)]))
        }
    }
}

/// The channel's counters, per source.
struct EmailMetrics: Sendable {
    let received: Counter
    let created: Counter
    let duplicates: Counter
    let followups: Counter
    let ignored: Counter
    let repeats: Counter
    let lastSuccess: Gauge

    init(source: String) {
        received = Counter(label: "intake_inputs_received_total", dimensions: [("channel", "email"), ("source", source)])
        created = Counter(label: "intake_cases_total", dimensions: [("channel", "email"), ("event", "case.created")])
        duplicates = Counter(label: "intake_cases_total", dimensions: [("channel", "email"), ("event", "case.duplicate")])
        followups = Counter(label: "intake_cases_total", dimensions: [("channel", "email"), ("event", "case.followup")])
        ignored = Counter(label: "intake_ignored_total", dimensions: [("channel", "email")])
        repeats = Counter(label: "intake_repeats_total", dimensions: [("channel", "email")])
        lastSuccess = Gauge(label: "intake_channel_last_success_seconds", dimensions: [("channel", "email"), ("source", source)])
    }

    func record(_ outcome: EmailIntake.Outcome) {
        lastSuccess.record(Date().timeIntervalSince1970)
        switch outcome {
        case .created: created.increment()
        case .duplicate: duplicates.increment()
        case .split(let ids, let duplicateCount):
            created.increment(by: ids.count - duplicateCount)
            duplicates.increment(by: duplicateCount)
        case .followup: followups.increment()
        case .ignored: ignored.increment()
        case .repeated: repeats.increment()
        }
    }
}
