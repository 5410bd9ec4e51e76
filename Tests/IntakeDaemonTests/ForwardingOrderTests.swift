import Foundation
import IntakeForwarding
import IntakeStore
import IntakeTestSupport
import Testing

/// Per-case order across dead letters, over real HTTP to a receiver on loopback.
@Suite struct ForwardingOrderTests {
    @Test func aCasesLaterEventsWaitBehindItsDeadLetterAndFollowItsReplayInOrder() async throws {
        let receiver = try await TestReceiver.start()
        receiver.script([.init(status: 400, body: "missing department")])
        // The store where a config points, for the admin CLI.
        let environment = try TestEnvironment()
        let harness = try ForwardingHarness(sink: HTTPSink(configuration: .init(url: receiver.url)), directory: environment.directory)
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
        let list = try runCLI(["dead", "list", "--json", "--config", environment.configPath])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]])
        #expect(listed.first?["held_back"] as? Int == 1, "\(list.output)")
        #expect(try runCLI(["dead", "list", "--config", environment.configPath]).output.contains("HELD BACK"))
        let status = try runCLI(["status", "--json", "--config", environment.configPath])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])
        #expect(summary["held_behind_dead_letters"] as? Int == 1, "\(status.output)")

        let replay = try runCLI(["dead", "replay", String(letter.outboxID), "--config", environment.configPath])
        #expect(replay.status == 0, "\(replay.output)")
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
