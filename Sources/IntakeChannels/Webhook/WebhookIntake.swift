import Crypto
import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore
import Logging
import Metrics

/// The webhook channel's work, independent of HTTP plumbing: authenticate, parse, validate,
/// and commit a request's cases; answer only after the commit.
public struct WebhookIntake: Sendable {

    public let configuration: WebhookConfiguration
    let database: IntakeDatabase
    let blobs: BlobStore
    /// Replaced by a reload (new secrets, taxonomy, holidays); read once per request.
    let liveAuthenticator: Live<SourceAuthenticator>
    let liveNormalizer: Live<CaseNormalizer>
    let logger: Logger
    /// Called after cases were committed, to wake the forwarder.
    let onQueued: @Sendable () -> Void
    private let events: ChannelEventsBySource

    public init(
        configuration: WebhookConfiguration, database: IntakeDatabase, blobs: BlobStore, authenticator: Live<SourceAuthenticator>,
        normalizer: Live<CaseNormalizer>, logger: Logger, onQueued: @escaping @Sendable () -> Void
    ) {
        self.configuration = configuration
        self.database = database
        self.blobs = blobs
        self.liveAuthenticator = authenticator
        self.liveNormalizer = normalizer
        self.logger = logger
        self.onQueued = onQueued
        events = ChannelEventsBySource(channel: .webhook, logger: logger)
    }


    /// Answers a request whose body was larger than the limit (it was not read to the end).
    public func refuseTooLarge(_ headers: IntakeHeaders) async -> IntakeAnswer {
        await refuse(.tooLarge(limit: configuration.maxBodyBytes), headers: headers, source: nil)
    }

    public func handle(_ headers: IntakeHeaders, body: [UInt8]) async -> IntakeAnswer {
        let receivedAt = database.now()
        guard body.count <= configuration.maxBodyBytes else { return await refuseTooLarge(headers) }
        let source: SourceAuthenticator.Source
        switch liveAuthenticator.value.authenticate(
            signature: headers.signature, authorization: headers.authorization, sourceName: headers.source, body: body, now: receivedAt)
        {
        case .success(let authenticated): source = authenticated
        case .failure(let rejection): return await refuse(rejection, headers: headers, source: nil)
        }
        events[source.name].inputReceived()
        if let rejection = IntakeRejection.mediaType(headers.contentType) {
            return await refuse(rejection, headers: headers, source: source.name)
        }
        if let key = headers.idempotencyKey, key.isEmpty || key.utf8.count > configuration.maxIdempotencyKeyBytes {
            return await refuse(
                .malformed("Idempotency-Key must be 1 to \(configuration.maxIdempotencyKeyBytes) bytes"), headers: headers, source: source.name)
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(body, maxDepth: configuration.maxJSONDepth)
        } catch {
            return await refuse(.malformed("body is not valid JSON: \(error)"), headers: headers, source: source.name)
        }
        let decoder = WebhookRequestDecoder(
            maxRequestsPerBatch: configuration.maxRequestsPerBatch, maxAttachmentBytes: configuration.maxAttachmentBytes,
            maxAttachmentsPerRequest: configuration.maxAttachmentsPerRequest)
        let decoded: WebhookRequestDecoder.Decoded
        switch decoder.decode(json) {
        case .success(let value): decoded = value
        case .failure(let rejection): return await refuse(rejection, headers: headers, source: source.name)
        }
        do {
            for (_, bytes) in decoded.blobs { try blobs.put(bytes) }
            let answer = try await commit(decoded, body: body, source: source.name, key: headers.idempotencyKey, receivedAt: receivedAt)
            if answer.status == 202, !answer.replayed { onQueued() }
            return answer
        } catch let failure as DurableFile.Failure where failure.isNoSpace {
            return await refuse(.unavailable("no space left for attachments", retryAfterSecs: configuration.retryAfterSecs), headers: headers, source: source.name)
        } catch {
            logger.error("webhook commit failed", metadata: ["intake.source": "\(source.name)", "error": "\(error)"])
            return IntakeAnswer(.unavailable("the store cannot take requests now; retry later", retryAfterSecs: configuration.retryAfterSecs))
        }
    }

    /// `INTAKE_TEST_ACK_BEFORE_COMMIT=1`: a test-only switch that breaks guarantee 1 on
    /// purpose, answering 202 before the commit. Never set in production; the reliability
    /// trials use it to show that their check finds losses.
    static let acknowledgeBeforeCommit = ProcessInfo.processInfo.environment["INTAKE_TEST_ACK_BEFORE_COMMIT"] == "1"

    private func commit(_ decoded: WebhookRequestDecoder.Decoded, body: [UInt8], source: String, key: String?, receivedAt: Date) async throws -> IntakeAnswer {
        let rawSHA256 = SHA256.hash(data: body).hexString
        let rawBody = Data(body)
        let normalizer = liveNormalizer.value
        let drafts = decoded.drafts.enumerated().flatMap { index, draft -> [CaseDraft] in
            let ref = draft.ref ?? key.map { decoded.isBatch ? "\($0)#\(index)" : $0 } ?? "sha256:\(rawSHA256)#\(index)"
            guard configuration.splitDemands else {
                var draft = draft
                draft.ref = ref
                return [draft]
            }
            return draft.demands(ref: ref)
        }
        let detail: [String: JSONValue] = ["bytes": .number(Double(body.count)), "idempotency_key": key.map(JSONValue.string) ?? .null]
        let items = try await database.findCandidates(drafts.map { draft in
            AdmissionItem(
                draft: draft,
                origin: CaseNormalizer.Origin(channel: .webhook, source: source, ref: "", receivedAt: receivedAt, rawSHA256: rawSHA256),
                normalizer: normalizer, versioning: .once, detail: detail)
        })
        let work: @Sendable (IntakeTransaction) throws -> (IntakeAnswer, [AdmissionOutcome]) = { transaction in
            if let key, let stored = try transaction.storedAnswer(channel: .webhook, source: source, key: key) {
                guard stored.requestSHA256 == rawSHA256 else {
                    let rejection = IntakeRejection.unprocessable([FieldError("Idempotency-Key", "was already used for a different body")])
                    return (IntakeAnswer(status: rejection.status, body: Data(rejection.body().serialized().utf8)), [])
                }
                try transaction.trace(TraceStep("replayed_answer", channel: .webhook, source: source, ref: key, detail: ["status": .number(Double(stored.status))]))
                return (IntakeAnswer(status: stored.status, body: stored.body, replayed: true), [])
            }
            try transaction.storeRaw(sha256: rawSHA256, channel: .webhook, source: source, mediaType: "application/json", body: rawBody)
            let outcomes = try items.map { try transaction.admit($0) }
            let answers = zip(items, outcomes).map { item, outcome in outcome.answer(ref: item.intakeCase.ref) }
            let body = Data(JSONValue.object(["cases": .array(answers)]).serialized().utf8)
            if let key {
                try transaction.storeAnswer(channel: .webhook, source: source, key: key, requestSHA256: rawSHA256, status: 202, body: body)
            }
            return (IntakeAnswer(status: 202, body: body), outcomes)
        }
        if Self.acknowledgeBeforeCommit {
            // Deliberately broken (`make reliability` shows that its check can fail): the
            // answer goes out first and the commit happens a moment after it — or never.
            let database = self.database
            let cases = items.map { AdmissionOutcome.created(caseID: $0.intakeCase.id, possibleDuplicateOf: nil).answer(ref: $0.intakeCase.ref) }
            var answer = IntakeAnswer(status: 202, body: Data(JSONValue.object(["cases": .array(cases)]).serialized().utf8))
            answer.afterAnswer = AfterAnswer {
                try? await Task.sleep(for: .milliseconds(200))
                _ = try? await database.intake(work)
            }
            return answer
        }
        let (answer, outcomes) = try await database.intake(work)
        if !outcomes.isEmpty { events[source].admitted(outcomes) }
        return answer
    }

    private func refuse(_ rejection: IntakeRejection, headers: IntakeHeaders, source: String?) async -> IntakeAnswer {
        await rejection.refuse(channel: .webhook, source: source, ref: headers.idempotencyKey, in: database, logger: logger)
    }
}
