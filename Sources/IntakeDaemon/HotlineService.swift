import Foundation
import IntakeChannels
import IntakeCore
import IntakeStore
import Logging
import ServiceLifecycle

/// One hotline source under the daemon: watches its spool directory and takes each complete
/// file in turn. A file is archived (or quarantined) only after all its rows are committed;
/// a stop in the middle leaves it in `.work/`, to be taken again at the next start.
struct HotlineService: Service {
    let source: LoadedConfiguration.HotlineSource
    let ingestor: HotlineIngestor
    let database: IntakeDatabase
    let timestamps: Timestamp
    let logger: Logger
    /// Wakes the forwarder after a file's cases were committed.
    let onQueued: @Sendable () -> Void

    func run() async throws {
        let spool = try SpoolDirectory(settings: source.spool)
        spool.removeOrphanMarkers()
        if !spool.isWatched, source.spool.settleSecs == 0 {
            logger.warning("no inotify and settle_secs is 0: only files with a .done/.ok marker will be taken", metadata: [
                "intake.source": "\(source.name)",
            ])
        }
        logger.info("hotline spool watched", metadata: [
            "intake.source": "\(source.name)", "intake.spool": "\(source.spool.directory.path)",
            "intake.inotify": "\(spool.isWatched)",
        ])
        let tick = Duration.milliseconds(min(250, source.rescanIntervalMillis))
        let rescan = Double(source.rescanIntervalMillis) / 1000
        var lastScan = Date.distantPast
        var leftovers = spool.leftovers()
        var failures: [String: Int] = [:]
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // Files a stop or a crash left half-taken come first; one that fails waits for the next rescan.
            if !leftovers.isEmpty, Date().timeIntervalSince(lastScan) >= rescan || lastScan == .distantPast {
                for file in leftovers where !Task.isShuttingDownGracefully {
                    await process(file, name: file.lastPathComponent, spool: spool, failures: &failures)
                }
                leftovers = spool.leftovers()
            }
            let changed = spool.changed()
            if changed || Date().timeIntervalSince(lastScan) >= rescan {
                lastScan = Date()
                for name in spool.completeFiles(now: lastScan) where !Task.isShuttingDownGracefully {
                    let file: URL
                    do {
                        file = try spool.take(name)
                    } catch {
                        logger.error("cannot take a hotline file", metadata: ["intake.source": "\(source.name)", "intake.file": "\(name)", "error": "\(error)"])
                        continue
                    }
                    await process(file, name: name, spool: spool, failures: &failures)
                }
                leftovers = spool.leftovers()
            }
            try? await Task.sleep(for: tick)
        }
    }

    /// A file that fails this often (unreadable, a name too long for its report, …) is set
    /// aside in `quarantine/` with the last error, instead of being tried for ever.
    static let maxAttempts = 5

    /// Ingests a file in `.work/`, then archives or quarantines it. Errors leave it there, to
    /// be tried again at the next rescan, up to `maxAttempts`.
    private func process(_ file: URL, name: String, spool: SpoolDirectory, failures: inout [String: Int]) async {
        let report = spool.reportURL(for: file)
        do {
            let summary = try await ingestor.ingest(file: file, name: name, report: report, shouldStop: { Task.isShuttingDownGracefully })
            let destination: URL
            if let reason = summary.quarantinedReason {
                destination = try spool.quarantine(file, name: name, reason: reason)
                logger.warning("hotline file quarantined", metadata: [
                    "intake.source": "\(source.name)", "intake.file": "\(name)", "intake.reason": "\(reason)",
                ])
            } else {
                destination = try spool.archive(file, name: name, report: summary.report, day: String(timestamps.format(Date()).prefix(10)))
            }
            try await database.intake { transaction in
                try transaction.trace(TraceStep(
                    summary.quarantinedReason == nil ? "file_archived" : "file_quarantined", channel: .hotline, source: source.name,
                    ref: name, rawSHA256: summary.rawSHA256, detail: ["path": .string(destination.path)]))
            }
            if summary.created + summary.updated > 0 { onQueued() }
        } catch is HotlineIngestor.Interrupted {
            logger.notice("hotline file left for the next start", metadata: ["intake.source": "\(source.name)", "intake.file": "\(name)"])
        } catch {
            let attempts = failures[file.lastPathComponent, default: 0] + 1
            failures[file.lastPathComponent] = attempts
            guard attempts >= Self.maxAttempts else {
                logger.error("hotline file failed; it stays in .work and is taken again", metadata: [
                    "intake.source": "\(source.name)", "intake.file": "\(name)", "intake.attempt": "\(attempts)", "error": "\(error)",
                ])
                return
            }
            failures[file.lastPathComponent] = nil
            let reason = "failed \(attempts) times, last: \(error)"
            logger.error("hotline file set aside in quarantine", metadata: [
                "intake.source": "\(source.name)", "intake.file": "\(name)", "error": "\(error)",
            ])
            _ = try? spool.quarantine(file, name: name, reason: reason)
            _ = try? await database.intake { transaction in
                try transaction.trace(TraceStep(
                    "file_quarantined", channel: .hotline, source: source.name, ref: name, detail: ["reason": .string(reason)]))
            }
        }
    }
}
