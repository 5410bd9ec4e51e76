import Foundation
import IntakeCore
import IntakeStore
import Logging
import ServiceLifecycle

/// The daemon's side of `Type=notify` (SPEC §6): `READY=1` once every enabled channel and
/// the forwarder are up, a `STATUS=` line (cases today, outbox depth, dead letters) kept
/// current, `WATCHDOG=1` at half of `WATCHDOG_USEC` only while every part makes progress and
/// the store takes a transaction, and `STOPPING=1` when shutdown begins. Reloads send their
/// own `RELOADING=1` … `READY=1` (`ReloadService`). Without `$NOTIFY_SOCKET` it only waits
/// for shutdown.
struct SystemdService: Service {
    let notifier: SystemdNotifier?
    let heartbeats: Heartbeats
    /// The parts that must be up before `READY=1`.
    let parts: [String]
    let database: IntakeDatabase
    let timeZone: TimeZone
    let logger: Logger
    /// How often `STATUS=` is refreshed when there is no watchdog to set the pace.
    var statusInterval: Duration = .seconds(10)

    func run() async throws {
        guard let notifier else {
            try? await gracefulShutdown()
            return
        }
        while !heartbeats.allUp(parts) {
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
        send { try notifier.ready() }
        send { try notifier.status(status()) }
        logger.info("ready", metadata: ["intake.parts": "\(parts.joined(separator: ","))"])

        let tick = notifier.watchdogInterval ?? statusInterval
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                try? await Task.sleep(for: tick)
                guard !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
                if let interval = notifier.watchdogInterval {
                    // Silent for a whole WATCHDOG_USEC (two ticks): that part is stuck.
                    let stale = heartbeats.stale(after: interval * 2)
                    let storeTakesWork = await storeResponds()
                    if stale.isEmpty, storeTakesWork {
                        send { try notifier.watchdog() }
                    } else {
                        logger.error("watchdog withheld: no progress", metadata: [
                            "intake.stale": "\(stale.joined(separator: ","))", "intake.store_ok": "\(storeTakesWork)",
                        ])
                    }
                }
                send { try notifier.status(status()) }
            }
        } onGracefulShutdown: {
            send { try notifier.stopping() }
        }
    }

    /// An empty transaction through the single writer: a wedged writer stops the watchdog.
    private func storeResponds() async -> Bool {
        (try? await database.intake { _ in }) != nil
    }

    /// `cases today 12 · outbox 3 · dead letters 0`.
    func status() -> String {
        let today = (try? database.casesSince(startOfToday())) ?? 0
        guard let gauges = try? database.outboxGauges() else { return "cases today \(today) · store unreadable" }
        return "cases today \(today) · outbox \(gauges.pending) · dead letters \(gauges.dead)"
    }

    private func startOfToday() -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.startOfDay(for: Date())
    }

    private func send(_ notify: () throws -> Void) {
        do {
            try notify()
        } catch {
            logger.warning("systemd notification failed", metadata: ["error": "\(error)"])
        }
    }
}
