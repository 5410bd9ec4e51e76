import Foundation
import IntakeCore
import IntakeForwarding
import IntakeStore
import Logging

/// A store with cases in it and a forwarder delivering them to a sink, in this process.
package final class ForwardingHarness: Sendable {
    package let database: IntakeDatabase
    package let directory: URL
    private let task: Task<Void, any Error>
    package let forwarder: OutboxForwarder

    /// - Parameter directory: where the store goes (`intake.sqlite`), e.g. a `TestEnvironment`'s
    ///   for the admin CLI to read it; a new temporary directory when nil.
    package init(
        sink: any Sink, retry: RetryPolicy = RetryPolicy(initialBackoffSecs: 0.05, maxBackoffSecs: 1, maxAttempts: 10),
        directory folder: URL? = nil
    ) throws {
        directory = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("intake-forwarding-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try IntakeDatabase(path: directory.appendingPathComponent("intake.sqlite").path)
        forwarder = OutboxForwarder(
            database: database, sink: sink,
            configuration: .init(batchSize: 64, pollIntervalMillis: 20, roundIntervalMillis: 0, retry: retry),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let forwarder = self.forwarder
        task = Task {
            // The sink's background work beside the forwarder, as the daemon's SinkService runs it.
            let running = Task { try await sink.run() }
            defer { running.cancel() }
            try await forwarder.run()
        }
    }

    /// Queues a new case's `case.created` event and returns the case.
    @discardableResult
    package func enqueueCase(ref: String) async throws -> IntakeCase {
        try await enqueueCases(refs: [ref])[0]
    }

    /// Queues new cases' `case.created` events in one commit, so that one round takes them all.
    @discardableResult
    package func enqueueCases(refs: [String]) async throws -> [IntakeCase] {
        let values = refs.map { ref in
            IntakeCase(
                id: UUIDv7.generate(), channel: .webhook, source: "portal", ref: ref, receivedAt: "2026-02-26T09:13:05+08:00",
                rawSHA256: String(repeating: "0", count: 64), requester: Requester(phone: "+8613812345678"), description: "诉求 \(ref)")
        }
        try await database.intake { transaction in
            try transaction.storeRaw(sha256: values[0].rawSHA256, channel: .webhook, source: "portal", mediaType: "application/json", body: Data("{}".utf8))
            for value in values { _ = try transaction.admit(AdmissionItem(value)) }
        }
        forwarder.wake()
        return values
    }

    package func enqueueUpdate(of value: IntakeCase) async throws {
        try await database.intake { try $0.enqueue(.updated, of: value) }
        forwarder.wake()
    }

    /// Waits until nothing is pending (or the timeout passes); returns the outbox counts.
    package func waitUntilSettled(timeoutSecs: Double = 10) async throws -> (pending: Int, delivered: Int, dead: Int) {
        let deadline = Date().addingTimeInterval(timeoutSecs)
        while Date() < deadline {
            let counts = try database.outboxCounts()
            if counts.pending == 0 { return counts }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try database.outboxCounts()
    }

    package func stop() async {
        task.cancel()
        _ = await task.result
        database.close()
    }
}
