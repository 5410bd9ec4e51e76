import Foundation
import IntakeCore
import IntakeForwarding
import IntakeStore
import IntakeTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The sink runs as its own service before the forwarder: it is up for every round, and on
/// shutdown it stops only after the forwarder's last round.
@Suite struct SinkServiceTests {
    final class Log: Sendable {
        final class Flag: Sendable {
            private let value = Mutex(false)
            func withLock<T>(_ body: (inout Bool) -> T) -> T { value.withLock { body(&$0) } }
        }

        let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// A sink whose background work must be running whenever it delivers.
    struct ProbeSink: Sink {
        let name = "probe"
        let log: Log
        let running = Log.Flag()

        func deliver(_ events: [OutboxEvent]) async -> [DeliveryOutcome] {
            log.add(running.withLock { $0 } ? "delivered while running" : "delivered while stopped")
            return events.map { _ in .delivered(detail: "ok") }
        }

        func run() async throws {
            running.withLock { $0 = true }
            defer {
                running.withLock { $0 = false }
                log.add("sink stopped")
            }
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// The forwarder, noting when it has returned.
    struct NotingForwarder: Service {
        let forwarder: OutboxForwarder
        let log: Log
        func run() async throws {
            try await forwarder.run()
            log.add("forwarder stopped")
        }
    }

    @Test func theSinkStopsAfterTheForwardersLastRound() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-sink-service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try IntakeDatabase(path: directory.appendingPathComponent("intake.sqlite").path)
        defer { database.close() }
        let log = Log()
        let sink = ProbeSink(log: log)
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let forwarder = OutboxForwarder(
            database: database, sink: sink, configuration: .init(batchSize: 10, pollIntervalMillis: 20, roundIntervalMillis: 0), logger: quiet)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: SinkService(sink: sink, logger: quiet)), .init(service: NotingForwarder(forwarder: forwarder, log: log))],
            logger: quiet))
        let running = Task { try await group.run() }

        let value = IntakeCase(
            id: UUIDv7.generate(), channel: .webhook, source: "portal", ref: "sink-service", receivedAt: "2026-02-26T09:13:05+08:00",
            rawSHA256: String(repeating: "0", count: 64), requester: Requester(phone: "+8613812345678"), description: "诉求")
        try await database.intake { transaction in
            try transaction.storeRaw(sha256: value.rawSHA256, channel: .webhook, source: "portal", mediaType: "application/json", body: Data("{}".utf8))
            _ = try transaction.admit(AdmissionItem(value))
        }
        forwarder.wake()
        let deadline = Date().addingTimeInterval(10)
        while try database.outboxCounts().delivered == 0, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        await group.triggerGracefulShutdown()
        try await running.value

        #expect(try database.outboxCounts().delivered == 1)
        #expect(log.all == ["delivered while running", "forwarder stopped", "sink stopped"])
    }
}
