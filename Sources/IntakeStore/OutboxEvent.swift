import Foundation

/// An event waiting in the outbox, as the forwarder hands it to a sink.
public struct OutboxEvent: Sendable, Hashable {
    public let id: Int64
    public let caseID: String
    public let event: String
    public let idempotencyKey: String
    /// The envelope JSON, byte-identical on every attempt.
    public let payload: Data
    /// Attempts made before this one.
    public let attempts: Int
    public let queuedAt: Date

    public init(id: Int64, caseID: String, event: String, idempotencyKey: String, payload: Data, attempts: Int, queuedAt: Date) {
        self.id = id
        self.caseID = caseID
        self.event = event
        self.idempotencyKey = idempotencyKey
        self.payload = payload
        self.attempts = attempts
        self.queuedAt = queuedAt
    }
}

/// What became of one delivery attempt. Whether to retry is decided here, in one place,
/// by the sink that saw the answer and the retry policy, not by error types.
public enum DeliveryOutcome: Sendable, Hashable {
    case delivered(detail: String)
    case retry(reason: String, notBefore: Date?)
    case reject(reason: String)
}
