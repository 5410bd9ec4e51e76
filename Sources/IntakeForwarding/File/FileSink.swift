import Foundation
import IntakeStore
#if canImport(Glibc)
import Glibc
#endif

/// The embedded default sink: one JSON file per event, `<idempotency_key>.json`, in a spool
/// directory that the routing side reads. A round of events is made durable together:
/// every file is written under a temporary name in `.tmp/`, one `syncfs` flushes them all,
/// then each is renamed into place and the directory is fsync'd once. A consumer never sees
/// a partial file, and a repeat delivery rewrites the same name.
public struct FileSink: Sink {
    public let name = "file"
    public let directory: URL
    private let temporaryDirectory: URL

    public init(directory: URL) throws {
        self.directory = directory
        self.temporaryDirectory = directory.appendingPathComponent(".tmp")
        try FileManager.default.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true)
    }

    public func deliver(_ events: [OutboxEvent]) async -> [DeliveryOutcome] {
        var outcomes = [DeliveryOutcome?](repeating: nil, count: events.count)
        var written: [Int] = []
        for (index, event) in events.enumerated() {
            do {
                try DurableFile.writeFile(event.payload, to: temporaryURL(for: event), fsync: false)
                written.append(index)
            } catch {
                outcomes[index] = .retry(reason: "\(error)", notBefore: nil)
            }
        }
        do {
            try DurableFile.syncFileSystem(containing: temporaryDirectory)
        } catch {
            for index in written {
                unlink(temporaryURL(for: events[index]).path)
                outcomes[index] = .retry(reason: "\(error)", notBefore: nil)
            }
            return outcomes.map { $0! }
        }
        var renamed: [Int] = []
        for index in written {
            let event = events[index]
            let final = directory.appendingPathComponent("\(event.idempotencyKey).json")
            if rename(temporaryURL(for: event).path, final.path) == 0 {
                renamed.append(index)
            } else {
                outcomes[index] = .retry(reason: "rename \(final.path): \(String(cString: strerror(errno)))", notBefore: nil)
            }
        }
        do {
            try DurableFile.syncDirectory(directory)
            for index in renamed { outcomes[index] = .delivered(detail: "\(events[index].idempotencyKey).json") }
        } catch {
            for index in renamed { outcomes[index] = .retry(reason: "\(error)", notBefore: nil) }
        }
        return outcomes.map { $0! }
    }

    private func temporaryURL(for event: OutboxEvent) -> URL {
        temporaryDirectory.appendingPathComponent("\(event.idempotencyKey).json")
    }
}
