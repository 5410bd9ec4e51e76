import Crypto
import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore
import PostgresNIO

/// Admission on the shared database: a batch of prepared items (`AdmissionItem`, the same the
/// SQLite store admits) becomes cases in one transaction, with the outcomes of
/// `IntakeTransaction.admit`.
extension PostgresStore {
    /// Admits `items` with the raw inputs they were made of in one transaction, the next group
    /// commit (see `submit`): when this returns, every outcome is committed (accepted means
    /// committed); when it throws, nothing of the batch is kept.
    ///
    /// Gateways admitting at the same moment are serialised where they could disagree, with
    /// transaction-scoped advisory locks taken first, in one global order (no deadlock): on
    /// each item's source ref, so that the same ref through two gateways is one case and a
    /// repeat, and on its identity keys, so that two near-duplicates are decided one after
    /// the other, the second seeing the first as a candidate. The UNIQUE constraint of the
    /// ledger stays the arbiter of idempotency.
    public func admit(_ items: [AdmissionItem], raw: [RawInput]) async throws -> [AdmissionOutcome] {
        try await submit(lockKeys: Self.lockKeys(for: items), raw: raw) { admission in
            try await admission.admit(items)
        }
    }

    /// Admits `items` for a request with an Idempotency-Key, as above, and stores the answer
    /// with them; a key answered before (by any gateway) returns that answer and admits
    /// nothing. The key is locked first: the same key sent to two gateways at once is
    /// admitted by one, and the other returns its answer.
    public func admit(_ items: [AdmissionItem], raw: [RawInput], answering request: IdempotentRequest) async throws -> IdempotentAdmission {
        try await submit(lockKeys: Self.lockKeys(for: items, and: [request.lockName]), raw: raw) { admission in
            if let stored = try await admission.storedAnswer(channel: request.channel, source: request.source, key: request.key) {
                return .answeredBefore(stored)
            }
            let outcomes = try await admission.admit(items)
            let answer = try request.answer(outcomes)
            try await admission.storeAnswer(answer, channel: request.channel, source: request.source, key: request.key)
            return .admitted(outcomes, answer: answer)
        }
    }

    /// The advisory lock keys of a batch, sorted: every transaction takes its locks in this one
    /// order, so two transactions never wait for each other in a circle.
    static func lockKeys(for items: [AdmissionItem], and others: [String] = []) -> [Int64] {
        var names = Set(others)
        for item in items {
            let intakeCase = item.intakeCase
            names.insert("ref\n\(intakeCase.channel.rawValue)\n\(intakeCase.source)\n\(intakeCase.ref)")
            guard let probe = item.probe, item.followupOf == nil else { continue }
            // A probe without identity keys is compared by text alone: such items are
            // serialised among themselves on one key.
            if probe.identityKeys.isEmpty { names.insert("text-only") }
            for key in probe.identityKeys { names.insert("identity\n" + key) }
        }
        return Set(names.map(lockKey(_:))).sorted()
    }

    /// A name's advisory lock key: the first 8 bytes of its SHA-256. The same on every gateway;
    /// two names that share a key only wait for each other.
    static func lockKey(_ name: String) -> Int64 {
        let digest = Array(SHA256.hash(data: Data(name.utf8)))
        return Int64(bitPattern: digest[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }
}
