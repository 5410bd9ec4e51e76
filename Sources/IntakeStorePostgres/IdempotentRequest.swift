import Foundation
import IntakeCore
import IntakeStore

/// A request that came with an `Idempotency-Key`: its answer is stored with what it admitted,
/// and a repeat of the key, on any gateway, gets that answer back.
public struct IdempotentRequest: Sendable {
    public var channel: Channel
    public var source: String
    public var key: String
    /// The request's hash, so that the channel can tell the same request from another under a reused key.
    public var requestSHA256: String
    /// The answer to store, made from the outcomes inside the transaction.
    public var answer: @Sendable ([AdmissionOutcome]) throws -> StoredAnswer

    public init(
        channel: Channel, source: String, key: String, requestSHA256: String,
        answer: @escaping @Sendable ([AdmissionOutcome]) throws -> StoredAnswer
    ) {
        self.channel = channel
        self.source = source
        self.key = key
        self.requestSHA256 = requestSHA256
        self.answer = answer
    }

    /// The name of its advisory lock: two gateways taking the same key at once answer one after the other.
    var lockName: String { "idempotency\n\(channel.rawValue)\n\(source)\n\(key)" }
}

/// The answer given to an Idempotency-Key.
public struct StoredAnswer: Sendable, Hashable {
    public var requestSHA256: String
    public var status: Int
    public var body: Data

    public init(requestSHA256: String, status: Int, body: Data) {
        self.requestSHA256 = requestSHA256
        self.status = status
        self.body = body
    }
}

/// What became of an idempotent request's batch.
public enum IdempotentAdmission: Sendable, Hashable {
    /// Admitted now, with the answer stored for its key.
    case admitted([AdmissionOutcome], answer: StoredAnswer)
    /// The key was answered before (on this gateway or another): nothing was admitted.
    case answeredBefore(StoredAnswer)
}
