import Foundation
import IntakeStore
import IntakeTestSupport
import Logging
@testable import IntakeDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary under a stand-in for systemd: the notifications of a whole life
/// (ready, status, watchdog, reload, refused reload, stop) on a socket the test listens on.
@Suite(.serialized) struct SystemdIntegrationTests {
    /// Datagrams until one starts with `prefix` (or the socket's 5 s timeout); all of them.
    static func receive(_ socket: NotificationSocket, until prefix: String) -> [String] {
        var seen: [String] = []
        while let message = socket.receive() {
            seen.append(message)
            if message.hasPrefix(prefix) { break }
        }
        return seen
    }

    @Test func readyStatusWatchdogReloadAndStopping() async throws {
        let port = DaemonProcess.freePort()
        let notify = try NotificationSocket(abstract: true)
        let spool = try HotlineSpool(port: port)
        // 600 ms: WATCHDOG=1 every 300 ms.
        let daemon = try DaemonProcess(
            environment: spool.environment, port: port, variables: ["NOTIFY_SOCKET": notify.name, "WATCHDOG_USEC": "600000"])
        defer { daemon.kill(SIGKILL) }

        let start = Self.receive(notify, until: "READY=1")
        #expect(start.last == "READY=1", "\(start)\n\(daemon.log())")
        let status = notify.receive()
        #expect(status?.hasPrefix("STATUS=cases today 0 · outbox 0 · dead letters 0") == true, "\(status ?? "nothing")")

        // The rhythm: pings about 300 ms apart, a status line after each.
        var pings: [ContinuousClock.Instant] = []
        while pings.count < 4, let message = notify.receive() {
            if message == "WATCHDOG=1" { pings.append(.now) }
        }
        #expect(pings.count == 4)
        for (earlier, later) in zip(pings, pings.dropFirst()) {
            let gap = later - earlier
            #expect(gap > .milliseconds(150) && gap < .milliseconds(1000), "gap \(gap)")
        }

        // A reload: RELOADING=1 with its monotonic time, then READY=1.
        daemon.kill(SIGHUP)
        let reload = Self.receive(notify, until: "READY=1")
        #expect(reload.contains { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }, "\(reload)")
        #expect(reload.last == "READY=1")
        #expect(daemon.process.isRunning, "SIGHUP does not stop the daemon")

        // A broken mapping: refused, the reason logged, the old mapping kept.
        let mapping = spool.environment.directory.appendingPathComponent("hotline.yaml")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("channels/hotline.yaml"), to: mapping)
        var config = try String(contentsOfFile: spool.environment.configPath, encoding: .utf8)
        config = config.replacingOccurrences(of: repositoryRoot.appendingPathComponent("channels/hotline.yaml").path, with: mapping.path)
        try config.write(toFile: spool.environment.configPath, atomically: true, encoding: .utf8)
        try "columns:\n  ref: [工单编号\n".write(to: mapping, atomically: true, encoding: .utf8)
        daemon.kill(SIGHUP)
        let refused = Self.receive(notify, until: "READY=1")
        #expect(refused.last == "READY=1", "\(refused)")
        try await waitUntil(timeoutSecs: 5) { daemon.log().contains("reload refused") }
        #expect(daemon.log().contains("hotline.yaml"), "the log names the file: \(daemon.log())")
        try spool.drop(hotlineFixture("utf8_bom.csv"))
        try await spool.waitFor("utf8_bom.csv")
        #expect(try await spool.environment.waitForEventFiles(count: 1).count > 0, "the old mapping still maps")

        // Shutdown: STOPPING=1 first.
        daemon.kill(SIGTERM)
        let stop = Self.receive(notify, until: "STOPPING=1")
        #expect(stop.last == "STOPPING=1", "\(stop)")
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test func withoutNotifySocketNothingIsSentAndTheDaemonRuns() async throws {
        let port = DaemonProcess.freePort()
        let daemon = try DaemonProcess(environment: TestEnvironment(port: port), port: port, variables: ["NOTIFY_SOCKET": ""])
        defer { daemon.kill(SIGKILL) }
        try await daemon.waitUntilHealthy()
        daemon.kill(SIGHUP)
        try await Task.sleep(for: .milliseconds(300))
        #expect(daemon.process.isRunning)
        #expect(!daemon.log().contains("systemd notification failed"))
        daemon.kill(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }
}

/// What a reload replaces, and what it leaves for a restart.
@Suite struct ReloadTests {
    @Test func aValidReloadReplacesTheTaxonomyAndSecretsAndNamesRestartOnlyChanges() throws {
        let environment = try TestEnvironment()
        let taxonomy = environment.directory.appendingPathComponent("taxonomy.yaml")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("channels/taxonomy.yaml"), to: taxonomy)
        var config = try String(contentsOfFile: environment.configPath, encoding: .utf8)
        config = config.replacingOccurrences(of: repositoryRoot.appendingPathComponent("channels/taxonomy.yaml").path, with: taxonomy.path)
        try config.write(toFile: environment.configPath, atomically: true, encoding: .utf8)
        let live = LiveSettings(try ConfigurationLoader.load(path: environment.configPath))
        let before = live.normalizer.value.classifier?.classify(sourceCategory: "规划", subject: nil, description: "x")
        #expect(before?.deadlineWorkingDays == 10)

        let edited = try String(contentsOf: taxonomy, encoding: .utf8)
        let first = try #require(edited.range(of: "deadline_working_days: 10"))
        try edited.replacingCharacters(in: first, with: "deadline_working_days: 7").write(to: taxonomy, atomically: true, encoding: .utf8)
        try "rotated-secret\n".write(to: environment.directory.appendingPathComponent("webhook.secret"), atomically: true, encoding: .utf8)
        try config.replacingOccurrences(of: "listen_port: 0", with: "listen_port: 8099")
            .write(toFile: environment.configPath, atomically: true, encoding: .utf8)

        guard case .applied(let needsRestart) = live.reload() else {
            Issue.record("a valid configuration was refused")
            return
        }
        #expect(needsRestart == ["webhook"])
        let after = live.normalizer.value.classifier?.classify(sourceCategory: "规划", subject: nil, description: "x")
        #expect(after?.deadlineWorkingDays == 7)
        let body = Array(#"{"description": "x"}"#.utf8)
        let now = Date()
        let signed = signature(Data(body), timestamp: Int(now.timeIntervalSince1970), secret: "rotated-secret")
        if case .failure(let rejection) = live.authenticator.value.authenticate(
            signature: signed, authorization: nil, sourceName: nil, body: body, now: now) {
            Issue.record("the rotated secret is not in use: \(rejection)")
        }
    }

    /// An administrator adds examples and reloads: the model is retrained from the file.
    @Test func aReloadRetrainsTheExamplesModelFromTheEditedFile() throws {
        let environment = try TestEnvironment()
        let examples = environment.directory.appendingPathComponent("examples.tsv")
        // A deliberately odd label for a made-up word, so only the added examples can decide it.
        try "category\ttext\nland\t用地指标不够用\nip\t商标被抢注了\n".write(to: examples, atomically: true, encoding: .utf8)
        var config = try String(contentsOfFile: environment.configPath, encoding: .utf8)
        config = config.replacingOccurrences(of: repositoryRoot.appendingPathComponent("channels/classification_examples.tsv").path, with: examples.path)
        try config.write(toFile: environment.configPath, atomically: true, encoding: .utf8)
        let live = LiveSettings(try ConfigurationLoader.load(path: environment.configPath))
        #expect(live.normalizer.value.classifier?.model?.exampleCount == 2)
        let text = "咕噜咕噜机的咕噜咕噜问题"
        let before = live.normalizer.value.classifier?.classify(sourceCategory: nil, subject: nil, description: text)
        #expect(before?.category.code != "tax")
        let added = (0..<5).map { "tax\t咕噜咕噜机的咕噜咕噜问题第\($0)次" }.joined(separator: "\n")
        try (String(contentsOf: examples, encoding: .utf8) + added + "\n").write(to: examples, atomically: true, encoding: .utf8)
        guard case .applied = live.reload() else {
            Issue.record("a valid configuration was refused")
            return
        }
        #expect(live.normalizer.value.classifier?.model?.exampleCount == 7)
        #expect(live.normalizer.value.classifier?.classify(sourceCategory: nil, subject: nil, description: text).category.code == "tax")
    }

    @Test func anInvalidReloadChangesNothing() throws {
        let environment = try TestEnvironment()
        let live = LiveSettings(try ConfigurationLoader.load(path: environment.configPath))
        let config = try String(contentsOfFile: environment.configPath, encoding: .utf8)
        let broken = config.replacingOccurrences(of: "dedup:\n  enabled: false", with: "dedup:\n  enabled: false\n  high_threshold: 2")
        #expect(broken != config)
        try broken.write(toFile: environment.configPath, atomically: true, encoding: .utf8)
        guard case .refused(let error) = live.reload() else {
            Issue.record("an invalid configuration was applied")
            return
        }
        #expect(error.description.contains("dedup.high_threshold"), "\(error)")
        #expect(live.normalizer.value.dedup == nil, "the old normaliser (dedup off in tests) is kept")
    }
}

/// The watchdog is fed only while every part shows progress.
@Suite struct WatchdogTests {
    @Test func aPartThatStopsBeatingStopsTheWatchdogButNotTheStatus() async throws {
        let socket = try NotificationSocket(abstract: true)
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "200000"]))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-watchdog-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try IntakeDatabase(path: directory.appendingPathComponent("intake.sqlite").path)
        defer { database.close() }
        let heartbeats = Heartbeats()
        let service = SystemdService(
            notifier: notifier, heartbeats: heartbeats, parts: ["forwarder", "webhook"], database: database,
            timeZone: TimeZone(identifier: "Asia/Shanghai")!, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let beating = Task {
            // Alive for half a second, then stuck.
            heartbeats.up("webhook")
            for _ in 0..<25 {
                heartbeats.beat("forwarder")
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let running = Task { try await service.run() }
        defer { running.cancel() }
        var messages: [(at: ContinuousClock.Instant, text: String)] = []
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .milliseconds(1500), let message = socket.receive() {
            messages.append((.now, message))
        }
        _ = await beating.result
        #expect(messages.first?.text == "READY=1")
        let pings = messages.filter { $0.text == "WATCHDOG=1" }
        #expect(pings.count >= 3, "fed while the forwarder beats: \(messages.map(\.text))")
        #expect(pings.allSatisfy { $0.at - start < .milliseconds(1000) }, "withheld once it has been silent for WATCHDOG_USEC")
        #expect(messages.filter { $0.text.hasPrefix("STATUS=") && $0.at - start > .milliseconds(1000) }.count >= 2, "the status goes on")
    }
}
