import Foundation
import IntakeForwarding
import IntakeStore
import Testing

/// Per-case order across dead letters, over real HTTP to a receiver on loopback.
@Suite struct ForwardingOrderTests {
    @Test func aCasesLaterEventsWaitBehindItsDeadLetterAndFollowItsReplayInOrder() async throws {
        let receiver = try await TestReceiver.start()
        receiver.script([.init(status: 400, body: "missing department")])
        let harness = try ForwardingHarness(sink: HTTPSink(configuration: .init(url: receiver.url)))
        let value = try await harness.enqueueCase(ref: "refused-first")
        #expect(try await harness.waitUntilSettled() == (0, 0, 1))
        try await harness.enqueueUpdate(of: value)
        // Another case queued after the update: once it is delivered, the forwarder has had
        // every chance to send the update too.
        let other = try await harness.enqueueCase(ref: "flows-on")
        let deadline = Date().addingTimeInterval(10)
        while !receiver.eventKeys.contains("\(other.id).created"), Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(receiver.eventKeys == ["\(value.id).created", "\(other.id).created"], "the update waits behind the dead letter")
        #expect(try harness.database.outboxCounts() == (1, 1, 1))
        let letter = try #require(try harness.database.deadLetters().first)
        #expect(letter.heldBack == 1)
        #expect(try harness.database.status().heldBehindDeadLetters == 1)

        #expect(try await harness.database.replayDeadLetters([letter.outboxID], actor: "test") == [letter.outboxID])
        harness.forwarder.wake()
        #expect(try await harness.waitUntilSettled() == (0, 3, 0))
        #expect(receiver.eventKeys == ["\(value.id).created", "\(other.id).created", "\(value.id).created", "\(value.id).updated"])
        let replayed = try #require(try harness.database.traceEntries(for: value.id).first { $0.step == "replayed" })
        let detail = try #require(try JSONSerialization.jsonObject(with: Data((replayed.detail ?? "{}").utf8)) as? [String: Any])
        #expect(detail["released"] as? Int == 1)
        await harness.stop()
        await receiver.stop()
    }
}
