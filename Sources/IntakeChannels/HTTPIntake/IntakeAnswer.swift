import Foundation
import IntakeCore
import IntakeStore
import Logging

/// What the webhook and the visit channel share over HTTP: the headers they read, the answer
/// they give, and how a refusal is answered and traced.

/// An HTTP answer: status, JSON body, `Retry-After` when the gateway cannot take input for
/// now, and whether it is a stored answer replayed for a repeated `Idempotency-Key`.
public struct IntakeAnswer: Sendable, Hashable {
    public var status: Int
    public var body: Data
    public var retryAfterSecs: Int?
    public var replayed = false
    /// Work the HTTP layer runs after the answer has been written to the client, in the
    /// request's own task. Only the test switch `INTAKE_TEST_ACK_BEFORE_COMMIT` sets it.
    public var afterAnswer: AfterAnswer?
}

/// Work to do once the answer is on the wire (compared by identity).
public struct AfterAnswer: Sendable, Hashable {
    private let id = UUID()
    public let run: @Sendable () async -> Void

    public init(_ run: @escaping @Sendable () async -> Void) {
        self.run = run
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// The request headers an HTTP channel reads (webhook and visits).
public struct IntakeHeaders: Sendable {
    public var signature: String?
    public var authorization: String?
    public var source: String?
    public var idempotencyKey: String?
    /// As the client wrote it; checked after authentication.
    public var contentType: String?

    public init(
        signature: String? = nil, authorization: String? = nil, source: String? = nil, idempotencyKey: String? = nil,
        contentType: String? = nil
    ) {
        self.signature = signature
        self.authorization = authorization
        self.source = source
        self.idempotencyKey = idempotencyKey
        self.contentType = contentType
    }
}

extension IntakeAnswer {
    /// The answer to a refused request: its status, the JSON body saying what and where, and
    /// `Retry-After` when the gateway cannot take requests for now.
    init(_ rejection: IntakeRejection, catalogue: MessageCatalogue = .english) {
        var retryAfter: Int?
        if case .unavailable(_, let seconds) = rejection { retryAfter = seconds }
        self.init(status: rejection.status, body: Data(rejection.body(catalogue).serialized().utf8), retryAfterSecs: retryAfter)
    }
}

extension IntakeRejection {
    /// The one place a refused request is counted, logged and traced, for every HTTP channel;
    /// returns the answer the client gets.
    func refuse(
        channel: Channel, source: String?, ref: String?, in database: IntakeDatabase, logger: Logger, catalogue: MessageCatalogue = .english
    ) async -> IntakeAnswer {
        ChannelEvents.refused(channel: channel, source: source, reason: reason, message: message, status: status, logger: logger)
        await trace(channel: channel, source: source, ref: ref, in: database, logger: logger)
        return IntakeAnswer(self, catalogue: catalogue)
    }

    /// Leaves the one trace a refused request is allowed to leave (SPEC §1.5); nothing when
    /// the refusal is the store itself being unavailable.
    private func trace(channel: Channel, source: String?, ref: String?, in database: IntakeDatabase, logger: Logger) async {
        if case .unavailable = self { return }
        var detail: [String: JSONValue] = ["status": .number(Double(status)), "reason": .string(message)]
        if case .unprocessable(let errors) = self {
            detail["errors"] = .array(errors.map { .string($0.description) })
        }
        do {
            try await database.trace(TraceStep("refused", channel: channel, source: source, ref: ref.map { String($0.prefix(200)) }, detail: detail))
        } catch {
            logger.error("could not trace a refused request", metadata: ["error": "\(error)"])
        }
    }
}
