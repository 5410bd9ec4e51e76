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

    func run() async throws {
        var wait = Duration.seconds(min(60, settings.sweepIntervalSecs))
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { [wait] in try await Task.sleep(for: wait) }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            wait = .seconds(settings.sweepIntervalSecs)
            do {
                let report = try await database.sweep(settings, blobs: blobs)
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
