import Foundation
import IntakeStore
#if canImport(Glibc)
import Glibc
#endif

/// The embedded default sink: events as files in a spool directory that the routing side
/// reads. Every file is written under a temporary name in `.tmp/`, fsync'd, renamed into
/// place, and the directory is fsync'd once per round: a consumer never sees a partial file,
/// and nothing else on the file system is flushed with it (no `syncfs`, which wrote back the
/// store's WAL too).
///
/// Two layouts:
/// - `batched`: one JSON Lines file per delivery round, one event envelope per line, named
///   `<UTC time>-<first outbox id>.jsonl` (`20260226T011305.123Z-000000004711.jsonl`), so
///   that a consumer taking files in name order takes events in delivery order. One inode,
///   one fsync per round instead of one per event.
/// - `per_event`: `<idempotency_key>.json`, one file per event; a repeat delivery rewrites
///   the same name.
///
/// Delivery is at least once in both: after a crash between the rename and the store's
/// record, a round is written again (a consumer discards repeats by `idempotency_key`).
public struct FileSink: Sink {
    public enum Layout: String, Sendable {
        case batched
        case perEvent = "per_event"
    }

    public let name = "file"
    public let directory: URL
    public let layout: Layout
    private let temporaryDirectory: URL

    public init(directory: URL, layout: Layout = .perEvent) throws {
        self.directory = directory
        self.layout = layout
        self.temporaryDirectory = directory.appendingPathComponent(".tmp")
        try FileManager.default.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true)
    }

    public func deliver(_ events: [OutboxEvent]) async -> [DeliveryOutcome] {
        guard !events.isEmpty else { return [] }
        switch layout {
        case .batched: return deliverBatch(events)
        case .perEvent: return deliverEach(events)
        }
    }

    private func deliverBatch(_ events: [OutboxEvent]) -> [DeliveryOutcome] {
        var lines = Data()
        lines.reserveCapacity(events.reduce(0) { $0 + $1.payload.count + 1 })
        for event in events {
            lines.append(event.payload)
            lines.append(UInt8(ascii: "\n"))
        }
        let name = Self.batchName(at: Date(), firstID: events[0].id)
        do {
            try DurableFile.write(lines, to: temporaryDirectory.appendingPathComponent(name), renamingTo: directory.appendingPathComponent(name))
        } catch {
            return events.map { _ in .retry(reason: "\(error)", notBefore: nil) }
        }
        return events.map { _ in .delivered(detail: name) }
    }

    private func deliverEach(_ events: [OutboxEvent]) -> [DeliveryOutcome] {
        var outcomes = [DeliveryOutcome?](repeating: nil, count: events.count)
        var renamed: [Int] = []
        for (index, event) in events.enumerated() {
            let final = directory.appendingPathComponent("\(event.idempotencyKey).json")
            do {
                try DurableFile.writeFile(event.payload, to: temporaryURL(for: event), fsync: true)
            } catch {
                outcomes[index] = .retry(reason: "\(error)", notBefore: nil)
                continue
            }
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

    /// `yyyyMMdd'T'HHmmss.SSS'Z'-<first outbox id, 12 digits>.jsonl`: sorts by time, then by
    /// the round's first event (ids grow with every event queued).
    static func batchName(at date: Date, firstID: Int64) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        return String(
            format: "%04d%02d%02dT%02d%02d%02d.%03dZ-%012lld.jsonl", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis, firstID)
    }
}
