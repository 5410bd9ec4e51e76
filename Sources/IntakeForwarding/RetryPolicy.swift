import Foundation
import IntakeStore

/// When to try again: exponential backoff with full jitter, bounded by a number of attempts
/// and an age, honouring a receiver's `Retry-After`. The one place retry decisions are made.
public struct RetryPolicy: Sendable, Hashable {
    public var initialBackoffSecs: Double
    public var maxBackoffSecs: Double
    public var maxAttempts: Int
    public var maxAgeSecs: Double
    /// Full jitter (a random wait up to the ceiling) spreads retries after an outage; without
    /// it every wait is the ceiling itself.
    public var fullJitter: Bool

    public init(
        initialBackoffSecs: Double = 1, maxBackoffSecs: Double = 300, maxAttempts: Int = 20, maxAgeSecs: Double = 86_400,
        fullJitter: Bool = true
    ) {
        self.initialBackoffSecs = initialBackoffSecs
        self.maxBackoffSecs = maxBackoffSecs
        self.maxAttempts = maxAttempts
        self.maxAgeSecs = maxAgeSecs
        self.fullJitter = fullJitter
    }

    /// The backoff ceiling after `attempt` failed attempts (1-based).
    public func ceiling(afterAttempt attempt: Int) -> Double {
        min(maxBackoffSecs, initialBackoffSecs * pow(2, Double(max(0, attempt - 1))))
    }

    /// What to record for one outcome; nil for an event the sink did not attempt (`deferred`),
    /// which stays due as it is.
    public func decide(
        _ outcome: DeliveryOutcome, for event: OutboxEvent, now: Date = Date(),
        jitter: (Double) -> Double = { Double.random(in: 0...$0) }
    ) -> IntakeDatabase.AttemptResult? {
        switch outcome {
        case .deferred:
            return nil
        case .delivered(let detail):
            return .delivered(detail: detail)
        case .reject(let reason):
            return .deadLetter(reason: reason)
        case .retry(let reason, let notBefore):
            let attempt = event.attempts + 1
            if attempt >= maxAttempts {
                return .deadLetter(reason: "\(reason) (gave up after \(attempt) attempts)")
            }
            let ceiling = ceiling(afterAttempt: attempt)
            var next = now.addingTimeInterval(fullJitter ? jitter(ceiling) : ceiling)
            if let notBefore, notBefore > next { next = notBefore }
            if next.timeIntervalSince(event.owedSince) > maxAgeSecs {
                return .deadLetter(reason: "\(reason) (gave up: older than \(Int(maxAgeSecs)) s)")
            }
            return .retryAt(next, reason: reason)
        }
    }
}
