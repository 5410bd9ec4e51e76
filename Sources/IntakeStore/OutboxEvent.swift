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
    /// When the event was first queued; a replay keeps it.
    public let queuedAt: Date
    /// When a replay last put the event, or a dead letter it waited behind, back in line.
    public let replayedAt: Date?

    public init(
        id: Int64, caseID: String, event: String, idempotencyKey: String, payload: Data, attempts: Int, queuedAt: Date,
        replayedAt: Date? = nil
    ) {
        self.id = id
        self.caseID = caseID
        self.event = event
        self.idempotencyKey = idempotencyKey
        self.payload = payload
        self.attempts = attempts
        self.queuedAt = queuedAt
        self.replayedAt = replayedAt
    }

    /// Since when the event has been owed: its queue time, or its last replay's. The retry
    /// policy's `max_age_secs` counts from here, so a replayed event gets a fresh allowance.
    public var owedSince: Date { replayedAt ?? queuedAt }
}

/// What became of one delivery attempt. Whether to retry is decided here, in one place,
/// by the sink that saw the answer and the retry policy, not by error types.
public enum DeliveryOutcome: Sendable, Hashable {
    case delivered(detail: String)
    case retry(reason: String, notBefore: Date?)
    case reject(reason: String)
    /// Not attempted: the round's time ran out before it was sent. Nothing is recorded and
    /// the event stays due for the next round, its attempts untouched.
    case deferred(reason: String)
}
