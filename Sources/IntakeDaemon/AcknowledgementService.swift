import Foundation
import IntakeChannels
import Logging
import ServiceLifecycle

/// Sends the queued acknowledgements: at start (what a crash or a stop left pending), when
/// the email sources commit a case, and each second for retries coming due. Stops after the
/// mail in hand.
struct AcknowledgementService: Service {
    let sender: AcknowledgementSender
    let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let wakeupContinuation: AsyncStream<Void>.Continuation

    init(sender: AcknowledgementSender, logger: Logger) {
        self.sender = sender
        self.logger = logger
        (wakeups, wakeupContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a round now (a case with an acknowledgement was committed).
    func wake() {
        wakeupContinuation.yield()
    }

    func run() async throws {
        let wakeups = self.wakeups
        let continuation = wakeupContinuation
        await withTaskGroup(of: Void.self) { group in
            // A tick each second, so that a retry coming due is not left for the next mail.
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    continuation.yield()
                }
            }
            group.addTask {
                do {
                    try await sender.sendDue()
                } catch {
                    logger.error("acknowledgements not read", metadata: ["error": "\(error)"])
                }
                for await _ in wakeups.cancelOnGracefulShutdown() {
                    do {
                        while try await sender.sendDue() > 0, !Task.isShuttingDownGracefully {}
                    } catch {
                        logger.error("acknowledgements not read", metadata: ["error": "\(error)"])
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
