import Foundation
import IntakeStore
import IntakeTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary, killed and restarted: accepted means durable, and every accepted event is
/// delivered exactly once.
@Suite(.serialized) struct CrashRecoveryTests {
    @Test func aSIGKILLRightAfter202StillDeliversTheEventExactlyOnce() async throws {
        let port = DaemonProcess.freePort()
        let environment = try TestEnvironment(port: port)
        var accepted: [String] = []
        for round in 0..<5 {
            let daemon = try DaemonProcess(environment: environment, port: port)
            try await daemon.waitUntilHealthy()
            let answer = try await daemon.post(sampleRequest(ref: "crash-\(round)"), key: "crash-key-\(round)")
            daemon.kill(SIGKILL)
            #expect(answer.status == 202, "round \(round): \(answer.text)")
            let id = try #require((try answer.json()["cases"] as? [[String: Any]])?.first?["id"] as? String)
            accepted.append(id)
            _ = try await daemon.waitForExit()
        }
        let daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        // A client that never saw its answer retries: still the one case.
        let retry = try await daemon.post(sampleRequest(ref: "crash-4"), key: "crash-key-4")
        #expect((try retry.json()["cases"] as? [[String: Any]])?.first?["id"] as? String == accepted.last)

        let files = try await environment.waitForEventFiles(count: accepted.count, timeoutSecs: 10)
        #expect(files == accepted.map { "\($0).created.json" }.sorted())
        daemon.kill(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)

        let database = try IntakeDatabase(path: environment.storePath)
        defer { database.close() }
        #expect(try database.caseCount() == accepted.count)
        #expect(try database.outboxCounts() == (0, accepted.count, 0))
        for id in accepted {
            #expect(try database.traceEntries(for: id).filter { $0.step == "delivered" }.count >= 1)
        }
        try expectEventsMatchSchema(in: environment)
    }

    @Test func sigtermDrainsAndExitsZero() async throws {
        let port = DaemonProcess.freePort()
        let environment = try TestEnvironment(port: port)
        let daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        let answer = try await daemon.post(sampleRequest(ref: "term-1"), key: "term-1")
        #expect(answer.status == 202)
        _ = try await environment.waitForEventFiles(count: 1)
        daemon.kill(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
        #expect(daemon.log().contains("intake stopped"))
    }
}
