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
    /// Up and alive: at start, per message taken, and during the wait between polls.
    var heartbeat: @Sendable () -> Void = {}

    func run() async throws {
        logger.info("email source polled", metadata: [
            "intake.source": "\(source.name)", "intake.mailboxes": "\(source.poller.mailboxes.joined(separator: ","))",
        ])
        var failures = 0
        heartbeat()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            var wait = source.pollIntervalSecs
            do {
                let heartbeat = self.heartbeat
                let summary = try await poller.poll(shouldStop: {
                    heartbeat()
                    return Task.isShuttingDownGracefully
                })
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
            // Waited in slices of a second, beating: a long poll interval is not silence.
            let until = ContinuousClock.now + .milliseconds(Int(wait * 1000))
            while ContinuousClock.now < until, !Task.isShuttingDownGracefully, !Task.isCancelled {
                heartbeat()
                let slice = min(Duration.seconds(1), until - ContinuousClock.now)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: slice) }
            }
        }
        await poller.close()
    }
}
