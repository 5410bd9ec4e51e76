import Foundation
import IntakeChannels
import Logging
import ServiceLifecycle

/// One email source under the daemon: polls its mailboxes every `poll_interval_secs`; a
/// poll takes everything new (a backlog in one go). A mailbox whose poll fails (missing,
/// server down, wrong password) is logged by the poller and waits longer each time, up to
/// five minutes, on its own: the source's other mailboxes keep the poll interval.
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
        heartbeat()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let wait = source.pollIntervalSecs
            let heartbeat = self.heartbeat
            let summary = await poller.poll(shouldStop: {
                heartbeat()
                return Task.isShuttingDownGracefully
            })
            if summary.created + summary.duplicates + summary.followups > 0 { onQueued() }
            if summary.fetched + summary.tidied > 0 {
                logger.info("email poll", metadata: [
                    "intake.source": "\(source.name)", "intake.fetched": "\(summary.fetched)", "intake.created": "\(summary.created)", "intake.duplicates": "\(summary.duplicates)",
                    "intake.followups": "\(summary.followups)", "intake.ignored": "\(summary.ignored)",
                    "intake.repeats": "\(summary.repeats)", "intake.refused": "\(summary.refused)", "intake.tidied": "\(summary.tidied)",
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
