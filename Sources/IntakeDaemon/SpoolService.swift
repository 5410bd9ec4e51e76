import Foundation
import IntakeChannels
import IntakeCore
import IntakeStore
import Logging
import ServiceLifecycle

/// What a channel made of one spooled file.

/// One spool directory under the daemon (a hotline source, the visit drop directory):
/// watches it and takes each complete file in turn. A file is archived (or quarantined) only
/// after everything in it is committed; a stop in the middle leaves it in `.work/`, to be
/// taken again at the next start.
struct SpoolService: Service {
    typealias Ingest = @Sendable (_ file: URL, _ name: String, _ report: URL, _ result: URL) async throws -> SpoolOutcome

    let channel: Channel
    let name: String
    let spoolSettings: SpoolDirectory.Settings
    let rescanIntervalMillis: Int
    let ingest: Ingest
    let database: IntakeDatabase
    let timestamps: Timestamp
    let logger: Logger
    /// Wakes the forwarder after a file's cases were committed.
    let onQueued: @Sendable () -> Void
    /// Called when the directory is watched and at every turn of the loop: up and alive.
    var heartbeat: @Sendable () -> Void = {}
    /// The words of `NAME.reason.txt` for a file set aside after failing (`zone.locale`).
    var catalogue = MessageCatalogue.chinese

    func run() async throws {
        let spool = try SpoolDirectory(settings: spoolSettings)
        spool.removeOrphanMarkers()
        if !spool.isWatched, spoolSettings.settleSecs == 0 {
            logger.warning("no inotify and settle_secs is 0: only files with a .done/.ok marker will be taken", metadata: [
                "intake.channel": "\(channel.rawValue)", "intake.source": "\(name)",
            ])
        }
        logger.info("spool watched", metadata: [
            "intake.channel": "\(channel.rawValue)", "intake.source": "\(name)", "intake.spool": "\(spoolSettings.directory.path)",
            "intake.inotify": "\(spool.isWatched)",
        ])
        heartbeat()
        let tick = Duration.milliseconds(min(250, rescanIntervalMillis))
        let rescan = Double(rescanIntervalMillis) / 1000
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
                        logger.error("cannot take a spooled file", metadata: ["intake.source": "\(self.name)", "intake.file": "\(name)", "error": "\(error)"])
                        continue
                    }
                    await process(file, name: name, spool: spool, failures: &failures)
                }
                leftovers = spool.leftovers()
            }
            heartbeat()
            try? await Task.sleep(for: tick)
        }
    }

    static func isTransient(_ error: any Error) -> Bool {
        if error is StoreError { return true }
        if let failure = error as? DurableFile.Failure { return failure.isNoSpace }
        return false
    }

    /// A file that fails this often (unreadable, a name too long for its report, …) is set
    /// aside in `quarantine/` with the last error, instead of being tried for ever.
    static let maxAttempts = 5

    /// Ingests a file in `.work/`, then archives or quarantines it. Errors leave it there, to
    /// be tried again at the next rescan, up to `maxAttempts`.
    private func process(_ file: URL, name: String, spool: SpoolDirectory, failures: inout [String: Int]) async {
        let report = spool.reportURL(for: file)
        do {
            let outcome = try await ingest(file, name, report, spool.resultURL(for: file))
            let destination: URL
            if let reason = outcome.quarantinedReason {
                destination = try spool.quarantine(file, name: name, reason: reason)
                logger.warning("spooled file quarantined", metadata: [
                    "intake.source": "\(self.name)", "intake.file": "\(name)", "intake.reason": "\(reason)",
                ])
            } else {
                destination = try spool.archive(
                    file, name: name, report: outcome.report, result: outcome.result, day: String(timestamps.format(Date()).prefix(10)))
            }
            let channel = self.channel
            let source = self.name
            try await database.intake { transaction in
                try transaction.trace(TraceStep(
                    outcome.quarantinedReason == nil ? "file_archived" : "file_quarantined", channel: channel, source: source,
                    ref: name, rawSHA256: outcome.rawSHA256, detail: ["path": .string(destination.path)]))
            }
            if outcome.changed { onQueued() }
        } catch is SpoolInterrupted {
            logger.notice("spooled file left for the next start", metadata: ["intake.source": "\(self.name)", "intake.file": "\(name)"])
        } catch where Self.isTransient(error) {
            // The store or the disk, not the file: it is taken again when they are back,
            // however long that takes.
            logger.error("spooled file waits for the store", metadata: [
                "intake.source": "\(self.name)", "intake.file": "\(name)", "error": "\(error)",
            ])
        } catch {
            let attempts = failures[file.lastPathComponent, default: 0] + 1
            failures[file.lastPathComponent] = attempts
            guard attempts >= Self.maxAttempts else {
                logger.error("spooled file failed; it stays in .work and is taken again", metadata: [
                    "intake.source": "\(self.name)", "intake.file": "\(name)", "intake.attempt": "\(attempts)", "error": "\(error)",
                ])
                return
            }
            failures[file.lastPathComponent] = nil
            let problem = OperatorMessage.failedRepeatedly(attempts: attempts, lastError: "\(error)")
            let reason = MessageCatalogue.english.text(problem)
            logger.error("spooled file set aside in quarantine", metadata: [
                "intake.source": "\(self.name)", "intake.file": "\(name)", "error": "\(error)",
            ])
            _ = try? spool.quarantine(file, name: name, reason: catalogue.text(problem))
            let channel = self.channel
            let source = self.name
            _ = try? await database.intake { transaction in
                try transaction.trace(TraceStep(
                    "file_quarantined", channel: channel, source: source, ref: name, detail: ["reason": .string(reason)]))
            }
        }
    }
}
