import Crypto
import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore
import Logging
import Metrics

/// The field-visit channel: visit records uploaded by tablets (JSON, or multipart with the
/// photos as file parts) or dropped as batch files. Each demand of a visit becomes its own
/// case (ref `<visit_id>#<n>`); uploading the same visit again changes nothing, a new demand
/// becomes a new case, a changed one `case.updated`, a removed one is traced.
///
/// A request's visits commit in one transaction, after their attachments are stored: the
/// tablet's retry after a crash finds either everything or nothing of its upload.
public struct VisitIntake: Sendable {
    public let settings: VisitConfiguration
    let decoder: VisitDecoder
    let database: IntakeDatabase
    let blobs: BlobStore
    /// Replaced by a reload; read once per upload.
    let liveAuthenticator: Live<SourceAuthenticator>
    let liveNormalizer: Live<CaseNormalizer>
    let logger: Logger
    let onQueued: @Sendable () -> Void
    /// The words of the answers' messages and of drop files' reports (`zone.locale`).
    public let catalogue: MessageCatalogue
    private let events: ChannelEvents

    public init(
        settings: VisitConfiguration, decoder: VisitDecoder, database: IntakeDatabase, blobs: BlobStore, authenticator: Live<SourceAuthenticator>,
        normalizer: Live<CaseNormalizer>, logger: Logger, locale: OperatorLocale = .zhCN, onQueued: @escaping @Sendable () -> Void
    ) {
        self.catalogue = locale.catalogue
        self.settings = settings
        self.decoder = decoder
        self.database = database
        self.blobs = blobs
        self.liveAuthenticator = authenticator
        self.liveNormalizer = normalizer
        self.logger = logger
        self.onQueued = onQueued
        events = ChannelEvents(channel: .visit, source: Self.source, logger: logger)
    }

    // MARK: - HTTP

    /// `POST /v1/visits`: authenticated like the webhook; the answer lists every visit of the
    /// upload with what became of it, so a tablet knows which ones were taken.
    public func handle(_ headers: IntakeHeaders, contentType: String?, body: [UInt8]) async -> IntakeAnswer {
        events.inputReceived()
        guard body.count <= settings.maxBodyBytes else { return await refuse(.tooLarge(limit: settings.maxBodyBytes)) }
        let source: SourceAuthenticator.Source
        switch liveAuthenticator.value.authenticate(signature: headers.signature, authorization: headers.authorization, sourceName: headers.source, body: body) {
        case .success(let authenticated): source = authenticated
        case .failure(let rejection): return await refuse(rejection)
        }
        if let rejection = IntakeRejection.mediaType(contentType, multipart: true) {
            return await refuse(rejection, source: source.name)
        }
        var json = body
        var parts: FormData?
        if let contentType, MIMEParameters(contentType).value == "multipart/form-data" {
            do {
                let form = try FormData(body: body, contentType: contentType)
                guard let visit = form.part("visit") else {
                    return await refuse(.unprocessable([FieldError("visit", .multipartNeedsVisitPart)]), source: source.name)
                }
                json = Array(visit.data)
                parts = form
            } catch {
                return await refuse(.malformed("\(error)"), source: source.name)
            }
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(json)
        } catch {
            return await refuse(.malformed("the visit is not valid JSON: \(error)"), source: source.name)
        }
        let results: [VisitDecoder.VisitResult]
        switch decoder.decode(value) {
        case .success(let decoded): results = decoded
        case .failure(let error): return await refuse(.unprocessable([error]), source: source.name)
        }
        do {
            let answers = try await take(
                results, parts: parts, raw: Data(body), mediaType: contentType ?? "application/json", uploadedBy: source.name)
            let anyTaken = answers.contains { $0.status != "invalid" }
            let status = anyTaken ? 202 : 422
            if answers.contains(where: { $0.changed }) { onQueued() }
            return IntakeAnswer(
                status: status,
                body: Data(JSONValue.object(["visits": .array(answers.map { $0.json(catalogue) })]).serialized().utf8))
        } catch let failure as DurableFile.Failure where failure.isNoSpace {
            return await refuse(.unavailable("no space left for attachments", retryAfterSecs: settings.retryAfterSecs), source: source.name)
        } catch {
            logger.error("visit commit failed", metadata: ["intake.source": "\(source.name)", "error": "\(error)"])
            return await refuse(.unavailable("the store cannot take visits now; retry later", retryAfterSecs: settings.retryAfterSecs), source: source.name)
        }
    }

    /// Answers an upload larger than `max_body_bytes` (not read to the end).
    public func refuseTooLarge() async -> IntakeAnswer {
        await refuse(.tooLarge(limit: settings.maxBodyBytes))
    }

    private func refuse(_ rejection: IntakeRejection, source: String? = nil) async -> IntakeAnswer {
        await rejection.refuse(channel: .visit, source: source, ref: nil, in: database, logger: logger, catalogue: catalogue)
    }

    // MARK: - Taking visits

    /// What became of one visit of an upload.
    public struct VisitAnswer: Sendable {
        public var visitID: String?
        /// `created` (every demand a new case), `updated` (some demand new, changed or
        /// removed), `repeat` (taken before, nothing changed) or `invalid`.
        public var status: String
        public var cases: [JSONValue] = []
        public var errors: [FieldError] = []
        /// An event was queued for one of its cases.
        public var changed: Bool { status == "created" || status == "updated" }

        /// The answer for one visit; its errors as `pointer: message`, the pointer stable, the
        /// message in the catalogue's words.
        func json(_ catalogue: MessageCatalogue) -> JSONValue {
            var object: [String: JSONValue] = ["visit_id": visitID.map(JSONValue.string) ?? .null, "status": .string(status)]
            if !cases.isEmpty { object["cases"] = .array(cases) }
            if !errors.isEmpty { object["errors"] = .array(errors.map { .string($0.text(catalogue)) }) }
            return .object(object)
        }
    }

    /// Stores the attachments, then commits every valid visit of one upload (or drop file)
    /// in one transaction, with the raw input.
    /// The one source all visit cases are filed under, whichever door they came through (an
    /// upload, a drop file): the same visit by both is the same cases. Who sent it is in the
    /// trace (`uploaded_by`).
    public static let source = "visits"

    func take(
        _ results: [VisitDecoder.VisitResult], parts: FormData? = nil, raw: Data, mediaType: String, uploadedBy: String,
        rawInBlobStore: (sha256: String, size: Int)? = nil
    ) async throws -> [VisitAnswer] {
        let source = Self.source
        let receivedAt = database.now()
        let rawSHA256 = rawInBlobStore?.sha256 ?? SHA256.hash(data: raw).hexString
        let normalizer = liveNormalizer.value
        var answers: [VisitAnswer] = []
        var prepared: [(index: Int, visitID: String, items: [AdmissionItem])] = []
        for result in results {
            switch result {
            case .invalid(_, let visitID, let errors):
                answers.append(VisitAnswer(visitID: visitID, status: "invalid", errors: errors))
            case .valid(let visit):
                var attachments: [Attachment] = []
                var errors: [FieldError] = []
                for (index, attachment) in visit.attachments.enumerated() {
                    let bytes: Data
                    if let inline = attachment.inline {
                        bytes = inline
                    } else if let name = attachment.part, let part = parts?.part(name) {
                        guard part.data.count <= decoder.maxAttachmentBytes else {
                            errors.append(FieldError(
                                "attachments/\(index)/part", "the file part \"\(name)\" has \(part.data.count) bytes; at most \(decoder.maxAttachmentBytes)"))
                            continue
                        }
                        bytes = part.data
                    } else {
                        errors.append(FieldError("attachments/\(index)/part", .noFilePart(name: attachment.part ?? "")))
                        continue
                    }
                    let sha256 = try blobs.put(bytes)
                    attachments.append(Attachment(sha256: sha256, name: attachment.name, mediaType: attachment.mediaType, size: bytes.count))
                }
                guard errors.isEmpty else {
                    answers.append(VisitAnswer(visitID: visit.visitID, status: "invalid", errors: errors))
                    continue
                }
                // The same photos in another order are not an edit.
                attachments.sort { ($0.sha256, $0.name) < ($1.sha256, $1.name) }
                let items = VisitDecoder.drafts(for: visit).enumerated().map { index, draft -> AdmissionItem in
                    var draft = draft
                    draft.attachments = attachments
                    let origin = CaseNormalizer.Origin(
                        channel: .visit, source: source, ref: draft.ref ?? "\(visit.visitID)#\(index + 1)", receivedAt: receivedAt,
                        rawSHA256: rawSHA256)
                    return AdmissionItem(
                        draft: draft, origin: origin, normalizer: normalizer, versioning: .versioned,
                        detail: ["visit_id": .string(visit.visitID), "demand": .number(Double(index + 1)), "uploaded_by": .string(uploadedBy)])
                }
                prepared.append((answers.count, visit.visitID, items))
                answers.append(VisitAnswer(visitID: visit.visitID, status: "pending"))
            }
        }
        guard !prepared.isEmpty else { return answers }
        let found = try await database.findCandidates(prepared.flatMap(\.items))
        var offset = 0
        let work = prepared.map { visit in
            defer { offset += visit.items.count }
            return (visit.index, visit.visitID, Array(found[offset..<(offset + visit.items.count)]))
        }
        let taken = try await database.intake { transaction -> [(Int, VisitAnswer, [AdmissionOutcome])] in
            if let rawInBlobStore {
                try transaction.storeRawReference(sha256: rawSHA256, channel: .visit, source: source, mediaType: mediaType, size: rawInBlobStore.size)
            } else {
                try transaction.storeRaw(sha256: rawSHA256, channel: .visit, source: source, mediaType: mediaType, body: raw)
            }
            var done: [(Int, VisitAnswer, [AdmissionOutcome])] = []
            for (index, visitID, items) in work {
                var answer = VisitAnswer(visitID: visitID, status: "repeat")
                let outcomes = try items.map { try transaction.admit($0) }
                answer.cases = zip(items, outcomes).map { item, outcome in outcome.answer(ref: item.intakeCase.ref) }
                let removed = try Self.traceRemovedDemands(of: visitID, keeping: items.count, source: source, in: transaction)
                let counts = AdmissionCounts(outcomes)
                if counts.created + counts.duplicates == items.count {
                    answer.status = "created"
                } else if outcomes.contains(where: \.queued) || removed > 0 {
                    answer.status = "updated"
                }
                done.append((index, answer, outcomes))
            }
            return done
        }
        for (index, answer, _) in taken { answers[index] = answer }
        events.admitted(taken.flatMap(\.2))
        let invalid = answers.filter { $0.status == "invalid" }.count
        if invalid > 0 { events.invalid(invalid) }
        return answers
    }

    /// Demands a later upload no longer has (its list is shorter): their cases stay, and the
    /// removal is in their trace.
    @discardableResult
    static func traceRemovedDemands(of visitID: String, keeping count: Int, source: String, in transaction: IntakeTransaction) throws -> Int {
        var index = count + 1
        var traced = 0
        while let entry = try transaction.ledgerEntry(channel: .visit, source: source, ref: "\(visitID)#\(index)") {
            let ref = "\(visitID)#\(index)"
            // Traced once: the same shortened visit uploaded again is not news.
            if try !transaction.contentSeen(channel: .visit, source: source, ref: ref, contentSHA256: Self.removedMark) {
                try transaction.rememberContent(channel: .visit, source: source, ref: ref, contentSHA256: Self.removedMark)
                try transaction.trace(TraceStep(
                    "demand_removed", channel: .visit, source: source, ref: ref, caseID: entry.caseID,
                    detail: ["visit_id": .string(visitID), "demands_now": .number(Double(count))]))
                traced += 1
            }
            index += 1
        }
        return traced
    }

    /// Stands in the content history of a demand's ref for "removed from its visit".
    static let removedMark = "removed"
}
