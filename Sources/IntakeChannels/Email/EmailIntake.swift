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
        /// A new request's sender gets one acknowledgement (queued with the case).
        public var acknowledge: Bool
        /// At most this many acknowledgements to one address in an hour.
        public var acknowledgementsPerHour: Int

        public init(
            source: String, maxAttachmentBytes: Int = 10 << 20, splitDemands: Bool = false, acknowledge: Bool = false,
            acknowledgementsPerHour: Int = 5
        ) {
            self.source = source
            self.maxAttachmentBytes = maxAttachmentBytes
            self.splitDemands = splitDemands
            self.acknowledge = acknowledge
            self.acknowledgementsPerHour = acknowledgementsPerHour
        }
    }

    /// What became of a message.
    public enum Outcome: Sendable, Hashable {
        /// Its cases: one, one per demand (`split_demands`), or a follow-up of an earlier case.
        case admitted([AdmissionOutcome])
        /// Taken without a case (an auto-reply, a bounce), with the reason.
        case ignored(reason: String)
        /// Already taken (by Message-ID or by its bytes).
        case `repeat`(caseID: String?)
    }

    public let settings: Settings
    /// Replaced by a reload; read once per message.
    let liveNormalizer: Live<CaseNormalizer>
    let database: IntakeDatabase
    let blobs: BlobStore
    let logger: Logger
    private let events: ChannelEvents

    public init(settings: Settings, normalizer: Live<CaseNormalizer>, database: IntakeDatabase, blobs: BlobStore, logger: Logger) {
        self.settings = settings
        self.liveNormalizer = normalizer
        self.database = database
        self.blobs = blobs
        self.logger = logger
        events = ChannelEvents(channel: .email, source: settings.source, logger: logger)
    }

    /// Takes one message fetched from `mailbox` under `uid`, and moves the mailbox's checkpoint to it.
    public func take(_ raw: Data, mailbox: String, uid: UInt32, uidValidity: UInt32) async throws -> Outcome {
        let receivedAt = database.now()
        events.inputReceived()
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
        let problems = message.problems
        let detail: [String: JSONValue] = [
            "mailbox": .string(mailbox), "uid": .number(Double(uid)), "bytes": .number(Double(raw.count)),
            "problems": problems.isEmpty ? .null : .array(problems.map(JSONValue.string)),
        ]
        let single = AdmissionItem(draft: draft, origin: origin, normalizer: normalizer, versioning: .once, detail: detail)
        // With `split_demands`, a new message listing several demands is one case each
        // (a reply stays one follow-up, whatever it lists).
        let demands = settings.splitDemands && ignoreReason == nil ? draft.demands(ref: ref) : []
        let pieces = demands.count < 2 ? [] : demands.map { piece in
            AdmissionItem(draft: piece, origin: origin, normalizer: normalizer, versioning: .once, detail: detail)
        }
        let found = ignoreReason == nil ? try await database.findCandidates(pieces.isEmpty ? [single] : pieces) : []
        let token = message.subject.flatMap(EmailTriage.caseToken(inSubject:))
        // The nearest ancestors first; a long References chain is cut (each id is a lookup
        // inside the single writer's transaction).
        let parents = Array((message.inReplyTo + message.references.reversed()).prefix(20))
        let source = settings.source
        // Who is answered: only a new request (not a follow-up), only a sender one may answer.
        let acknowledgement: (recipient: String, refusal: String?)? = settings.acknowledge && ignoreReason == nil
            ? (message.fromAddress?.lowercased() ?? "", EmailTriage.acknowledgementRefusal(message)) : nil
        let perHour = settings.acknowledgementsPerHour
        let messageID = message.messageID
        let (outcome, acknowledgementOutcome) = try await database.intake { transaction -> (Outcome, String?) in
            try transaction.advanceCheckpoint(source: source, mailbox: mailbox, to: MailboxCheckpoint(uidValidity: uidValidity, lastUID: uid))
            try transaction.recordTaken(source: source, mailbox: mailbox, uidValidity: uidValidity, uid: uid)
            if try transaction.rawAlreadyTaken(sha256: rawSHA256, channel: .email) {
                // These very bytes were taken (fetched again after a crash or a new UIDVALIDITY).
                return (.repeat(caseID: try transaction.ledgerEntry(channel: .email, source: source, ref: ref)?.caseID), nil)
            }
            var base = ref
            if try transaction.ledgerEntry(channel: .email, source: source, ref: ref) != nil
                || transaction.ledgerEntry(channel: .email, source: source, ref: ref + "#1") != nil
            {
                // Another message under a Message-ID already taken (a broken mailer, a forged
                // header): taken under its own ref, never dropped.
                base = "\(ref)#sha256:\(rawSHA256.prefix(16))"
            }
            try transaction.storeRaw(sha256: rawSHA256, channel: .email, source: source, mediaType: "message/rfc822", body: raw)
            if let ignoreReason {
                try transaction.recordIgnored(
                    channel: .email, source: source, ref: base, rawSHA256: rawSHA256, reason: ignoreReason,
                    detail: ["mailbox": .string(mailbox), "uid": .number(Double(uid)), "from": message.fromAddress.map(JSONValue.string) ?? .null])
                return (.ignored(reason: ignoreReason), nil)
            }
            if let parent = try transaction.answeredCase(channel: .email, refs: parents, token: token) {
                var reply = single.renamed(base)
                reply.followupOf = parent
                return (.admitted([try transaction.admit(reply)]), nil)
            }
            let items = found.enumerated().map { index, item in
                base == ref ? item : item.renamed(pieces.isEmpty ? base : "\(base)#\(index + 1)")
            }
            let outcomes = try items.map { try transaction.admit($0) }
            if let acknowledgement, let first = outcomes.first, first.isNewRequest, let caseID = first.caseID {
                // One per message: a message split into several cases is answered for the first.
                var refusal = acknowledgement.refusal
                if refusal == nil {
                    refusal = try transaction.queueAcknowledgement(
                        caseID: caseID, source: source, recipient: acknowledgement.recipient, inReplyTo: messageID, perHour: perHour)?.rawValue
                }
                try transaction.trace(TraceStep(
                    refusal == nil ? "acknowledgement_queued" : "acknowledgement_skipped", channel: .email, source: source, ref: base,
                    caseID: caseID, detail: refusal.map { ["reason": .string($0)] } ?? [:]))
                return (.admitted(outcomes), refusal == nil ? "queued" : "skipped")
            }
            return (.admitted(outcomes), nil)
        }
        if let acknowledgementOutcome { AcknowledgementEvents(source: source).count(acknowledgementOutcome) }
        switch outcome {
        case .admitted(let outcomes): events.admitted(outcomes)
        case .ignored: events.ignored()
        case .repeat: events.admitted([.repeat(caseID: nil)])
        }
        return outcome
    }
}

extension EmailIntake {
    /// A message the gateway will not fetch (larger than `max_message_bytes`): traced with the
    /// reason and passed over; it stays on the server, untouched, for a person to look at.
    public func refuse(mailbox: String, uid: UInt32, uidValidity: UInt32, reason: String) async throws {
        let source = settings.source
        events.refused(reason: "unfetchable", message: "\(mailbox) UID \(uid): \(reason)", level: .error)
        try await database.intake { transaction in
            try transaction.advanceCheckpoint(source: source, mailbox: mailbox, to: MailboxCheckpoint(uidValidity: uidValidity, lastUID: uid))
            try transaction.trace(TraceStep(
                "refused", channel: .email, source: source, ref: "imap:\(mailbox)/\(uidValidity)/\(uid)",
                detail: ["mailbox": .string(mailbox), "uid": .number(Double(uid)), "reason": .string(reason)]))
        }
    }
}
