import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore

/// A store and blob directory in a temporary folder, for testing a channel's work without
/// HTTP, a spool service or a daemon: the channel takes its input, the test reads back what
/// was committed.
package final class TemporaryStore: Sendable {
    package let directory: URL
    package let database: IntakeDatabase
    package let blobs: BlobStore

    package init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try IntakeDatabase(path: directory.appendingPathComponent("intake.sqlite").path)
        blobs = try BlobStore(root: directory.appendingPathComponent("blobs"))
    }

    /// The events the forwarder would send now, in queue order (the first pending event of
    /// each case: a case's later events wait for it), as the routing queue will get them.
    package func dueEvents() async throws -> [CaseEvent] {
        try await database.dueEvents(now: .distantFuture, limit: 100_000).map { try CaseEvent.decoded(from: $0.payload) }
    }

    /// Closes the store and removes the folder.
    package func remove() {
        database.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The zone every channel-level test normalises in: Tianjin (`022`), China Standard Time.
package let testNormalizer = CaseNormalizer(timeZone: TimeZone(identifier: "Asia/Shanghai")!, defaultAreaCode: "022")
