import Foundation
import GRDB
import IntakeCore
import Testing

@testable import IntakeStore

/// The acknowledgement queue in the store: one per case (a UNIQUE key), an hourly allowance per
/// address, a retry time or a give-up per failure, and the sweeper's horizon.
@Suite struct AcknowledgementStoreTests {
    /// The retention tests' store: simulated clock, webhook cases to acknowledge.
    let store: RetentionTests

    init() throws {
        store = try RetentionTests()
    }

    func queue(_ caseID: String, to recipient: String, perHour: Int = 5) async throws -> AcknowledgementRefusal? {
        try await store.database.intake { transaction in
            try transaction.queueAcknowledgement(caseID: caseID, source: "mail", recipient: recipient, inReplyTo: "m@x.cn", perHour: perHour)
        }
    }

    @Test func aCaseIsQueuedOnceAndAnAddressGetsItsHourlyAllowance() async throws {
        let first = try await store.admit("a1")
        let second = try await store.admit("a2")
        let third = try await store.admit("a3")
        #expect(try await queue(first.id, to: "zhang@example.cn", perHour: 2) == nil)
        #expect(try await queue(first.id, to: "zhang@example.cn", perHour: 2) == .alreadyQueued)
        #expect(try await queue(second.id, to: "zhang@example.cn", perHour: 2) == nil)
        #expect(try await queue(third.id, to: "zhang@example.cn", perHour: 2) == .rateLimited)
        store.clock.advance(days: 1.0 / 24 + 0.001)
        #expect(try await queue(third.id, to: "zhang@example.cn", perHour: 2) == nil, "an hour later")
        #expect(try store.database.dueAcknowledgements(now: store.clock.now, limit: 10).map(\.caseID) == [first.id, second.id, third.id])
    }

    @Test func aFailureWaitsItsRetryAndTheLastOneGivesUp() async throws {
        let value = try await store.admit("b1")
        _ = try await queue(value.id, to: "li@example.cn")
        let later = store.clock.now.addingTimeInterval(60)
        try await store.database.intake { try $0.acknowledgementFailed(caseID: value.id, error: "curl 7", retryAt: later) }
        #expect(try store.database.dueAcknowledgements(now: store.clock.now, limit: 10).isEmpty)
        #expect(try store.database.dueAcknowledgements(now: later, limit: 10).first?.attempts == 1)
        try await store.database.intake { try $0.acknowledgementFailed(caseID: value.id, error: "curl 67", retryAt: nil) }
        #expect(try store.database.acknowledgementCounts() == ["failed": 1])
        #expect(try store.database.dueAcknowledgements(now: .distantFuture, limit: 10).isEmpty)
    }

    @Test func theSweeperRemovesSentOnesPastTheRawHorizonAndKeepsPendingOnes() async throws {
        let sent = try await store.admit("c1")
        let pending = try await store.admit("c2")
        _ = try await queue(sent.id, to: "wang@example.cn")
        _ = try await queue(pending.id, to: "wang@example.cn")
        try await store.database.intake { try $0.markAcknowledged(caseID: sent.id) }
        store.clock.advance(days: 11)
        let report = try await store.database.sweep(store.settings, blobs: store.blobs)
        #expect(report[.acknowledgements].count == 1)
        #expect(try store.database.acknowledgementCounts() == ["pending": 1])
    }
}
