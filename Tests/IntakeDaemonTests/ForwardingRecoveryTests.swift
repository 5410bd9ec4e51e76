import Foundation
import IntakeStore
import IntakeTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary delivering over HTTP to a receiver in this process.
@Suite(.serialized) struct ForwardingRecoveryTests {
    func httpSink(_ receiver: TestReceiver) -> String {
        """
            type: http
            url: \(receiver.url)
            concurrency: 4
            timeout_millis: 5000
        """
    }

    @Test func aSIGKILLInTheMiddleOfADeliveryBurstLosesNothing() async throws {
        let receiver = try await TestReceiver.start()
        receiver.script([], then: .init(status: 200, delayMillis: 100))
        let port = DaemonProcess.freePort()
        let environment = try TestEnvironment(port: port, sinkYAML: httpSink(receiver))
        var daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        var accepted: Set<String> = []
        for index in 0..<60 {
            let answer = try await daemon.post(sampleRequest(ref: "burst-\(index)"), key: "burst-\(index)")
            #expect(answer.status == 202)
            if let id = (try answer.json()["cases"] as? [[String: Any]])?.first?["id"] as? String { accepted.insert("\(id).created") }
        }
        // Deliveries are under way (100 ms each, 4 at a time): kill in the middle of them.
        try await Task.sleep(for: .milliseconds(150))
        let deliveredBeforeKill = Set(receiver.eventKeys)
        daemon.kill(SIGKILL)
        _ = try await daemon.waitForExit()
        #expect(deliveredBeforeKill.count < accepted.count, "the kill should land mid-burst")

        daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        let deadline = Date().addingTimeInterval(20)
        while Set(receiver.eventKeys).count < accepted.count, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(Set(receiver.eventKeys) == accepted, "every accepted event delivered, none invented")
        daemon.kill(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
        let database = try IntakeDatabase(path: environment.storePath)
        defer { database.close() }
        #expect(try database.outboxCounts() == (0, accepted.count, 0))
        await receiver.stop()
    }

    @Test func aReplayedDeadLetterIsDeliveredAndTracedWithWhoRanIt() async throws {
        let receiver = try await TestReceiver.start()
        receiver.script([.init(status: 422, body: "unknown district")])
        let port = DaemonProcess.freePort()
        let environment = try TestEnvironment(port: port, sinkYAML: httpSink(receiver))
        let daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        let answer = try await daemon.post(sampleRequest(ref: "replay-1"), key: "replay-1")
        let id = try #require((try answer.json()["cases"] as? [[String: Any]])?.first?["id"] as? String)

        let database = try IntakeDatabase(path: environment.storePath)
        defer { database.close() }
        var letters: [DeadLetter] = []
        for _ in 0..<100 where letters.isEmpty {
            letters = try database.deadLetters()
            try await Task.sleep(for: .milliseconds(50))
        }
        let letter = try #require(letters.first)
        #expect(letter.lastError == "HTTP 422: unknown district")

        let list = try runCLI(["dead", "list", "--config", environment.configPath])
        #expect(list.output.contains("HTTP 422: unknown district"))
        let show = try runCLI(["dead", "show", String(letter.outboxID), "--config", environment.configPath])
        #expect(show.output.contains("delivery_failed") || show.output.contains("dead_lettered"))

        let replayedAt = Date()
        let replay = try runCLI(["dead", "replay", String(letter.outboxID), "--config", environment.configPath], environment: ["SUDO_USER": "wang.admin"])
        #expect(replay.status == 0)
        #expect(replay.output.contains("replayed 1"))
        let deadline = Date().addingTimeInterval(5)
        while receiver.received.count < 2, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let second = try #require(receiver.received.dropFirst().first)
        #expect(second.at.timeIntervalSince(replayedAt) < 1.5, "picked up within a second or so")
        #expect(second.idempotencyKey == receiver.received[0].idempotencyKey)

        let trace = try runCLI(["trace", id, "--config", environment.configPath])
        #expect(trace.output.contains("replayed"))
        #expect(trace.output.contains("by wang.admin"))
        let steps = try database.traceEntries(for: id).map(\.step)
        #expect(steps.suffix(3) == ["dead_lettered", "replayed", "delivered"])

        let status = try runCLI(["status", "--json", "--config", environment.configPath])
        let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as! [String: Any]
        #expect(json["dead_letters"] as? Int == 0)
        #expect(json["outbox_depth"] as? Int == 0)
        #expect((json["channels"] as? [[String: Any]])?.first?["source"] as? String == "portal")
        daemon.kill(SIGTERM)
        _ = try await daemon.waitForExit()
        await receiver.stop()
    }
}

/// Runs the `intake` binary to completion.
func runCLI(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = DaemonProcess.binary
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}
