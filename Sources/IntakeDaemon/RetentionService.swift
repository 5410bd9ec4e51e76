import Foundation
import IntakeStore
import Logging
import Metrics
import ServiceLifecycle

/// The retention sweeper under the daemon: one sweep a minute after start, then every
/// `sweep_interval_secs`. A sweep runs in small batches through the group committer, so
/// intake never waits for more than one of them; a failed sweep is logged and tried again
/// at the next interval.
struct RetentionService: Service {
    let settings: RetentionSettings
    let database: IntakeDatabase
    let blobs: BlobStore
    let logger: Logger

    /// The share of the writer's time a sweep may take: with a year of backlog to work
    /// through, intake keeps ~95 % of its throughput (bench/retention.sh) and the first
    /// sweep takes correspondingly longer (about 20× the time the batches take).
    static let writerShare = 0.05

    func run() async throws {
        var wait = Duration.seconds(min(60, settings.sweepIntervalSecs))
        var lastBlobWalk: ContinuousClock.Instant?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { [wait] in try await Task.sleep(for: wait) }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            wait = .seconds(settings.sweepIntervalSecs)
            do {
                let walkBlobs = lastBlobWalk.map { ContinuousClock.now - $0 >= .seconds(IntakeDatabase.orphanBlobGraceSecs) } ?? true
                if walkBlobs { lastBlobWalk = .now }
                let report = try await database.sweep(settings, blobs: blobs, writerShare: Self.writerShare, walkBlobs: walkBlobs)
                Self.record(report, logger: logger)
            } catch {
                logger.error("retention sweep failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The one place a sweep is counted and logged.
    static func record(_ report: RetentionReport, logger: Logger) {
        var metadata: Logger.Metadata = [:]
        for kind in RetentionReport.Kind.allCases {
            let removed = report[kind]
            guard removed.count > 0 else { continue }
            Counter(label: "intake_retention_removed_total", dimensions: [("kind", kind.rawValue)]).increment(by: removed.count)
            Counter(label: "intake_retention_removed_bytes_total", dimensions: [("kind", kind.rawValue)]).increment(by: removed.bytes)
            metadata["intake.\(kind.rawValue)"] = "\(removed.count)"
        }
        guard !metadata.isEmpty || report.vacuumedBytes > 0 else { return }
        metadata["intake.vacuumed_bytes"] = "\(report.vacuumedBytes)"
        logger.info("retention sweep", metadata: metadata)
    }
}
