import Foundation
import IntakeChannels
import Logging
import ServiceLifecycle

/// One email source under the daemon: polls its mailboxes every `poll_interval_secs`; a
/// poll takes everything new (a backlog in one go). A failed poll
/// (server down, wrong password) is logged and tried again, waiting longer each time up to
/// five minutes.
struct EmailService: Service {
    let source: LoadedConfiguration.EmailSource
    let poller: MailboxPoller
    let logger: Logger
    /// Wakes the forwarder after a poll committed cases.
    let onQueued: @Sendable () -> Void

    func run() async throws {
        logger.info("email source polled", metadata: [
            "intake.source": "\(source.name)", "intake.mailboxes": "\(source.poller.mailboxes.joined(separator: ","))",
        ])
        var failures = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            var wait = source.pollIntervalSecs
            do {
                let summary = try await poller.poll(shouldStop: { Task.isShuttingDownGracefully })
                failures = 0
                if summary.created + summary.followups > 0 { onQueued() }
                if summary.fetched > 0 {
                    logger.info("email poll", metadata: [
                        "intake.source": "\(source.name)", "intake.fetched": "\(summary.fetched)", "intake.created": "\(summary.created)",
                        "intake.followups": "\(summary.followups)", "intake.ignored": "\(summary.ignored)",
                        "intake.repeats": "\(summary.repeats)", "intake.refused": "\(summary.refused)",
                    ])
                }
            } catch {
                failures += 1
                wait = min(300, source.pollIntervalSecs * pow(2, Double(min(failures, 8) - 1)))
                logger.error("email poll failed", metadata: [
                    "intake.source": "\(source.name)", "error": "\(error)", "intake.retry_in_secs": "\(wait)",
                ])
            }
            let delay = Duration.milliseconds(Int(wait * 1000))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
        }
        await poller.close()
    }
}
