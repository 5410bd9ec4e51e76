import Dispatch
import Foundation
import IntakeCore
import IntakeStore
import Logging

extension IMAPError {
    var isTooLarge: Bool {
        if case .tooLarge = kind { return true }
        return false
    }
}

/// Polls the mailboxes of one email source: new UIDs since the checkpoint, each message
/// fetched, taken (committed with the checkpoint), then marked `\Seen` or moved.
///
/// libcurl blocks, so every IMAP call runs on this poller's own serial queue, never on the
/// concurrency pool; one IMAP connection is kept across a poll and reopened after an error.
public final class MailboxPoller: @unchecked Sendable {
    /// What to do with a message on the server once its case is committed. Correctness never
    /// depends on it: the checkpoint in the store decides what is new.
    public enum AfterCommit: Sendable, Hashable {
        case keep
        case markSeen
        case move(to: String)
    }

    public struct Settings: Sendable {
        public var imap: IMAPClient.Configuration
        public var mailboxes: [String]
        public var after: AfterCommit

        public init(imap: IMAPClient.Configuration, mailboxes: [String], after: AfterCommit) {
            self.imap = imap
            self.mailboxes = mailboxes
            self.after = after
        }
    }

    /// What one poll did.
    public struct Summary: Sendable, Hashable {
        public var fetched = 0
        /// New cases, duplicates included.
        public var created = 0
        /// Of `created`: linked to an earlier case by deduplication.
        public var duplicates = 0
        public var followups = 0
        public var ignored = 0
        public var repeats = 0
        public var refused = 0
    }

    public let settings: Settings
    let intake: EmailIntake
    let database: IntakeDatabase
    let logger: Logger
    private let queue = DispatchQueue(label: "intake-imap")
    /// Touched only on `queue`.
    private var client: IMAPClient?
    /// Failed fetches by UID, across polls (one poll runs at a time).
    private var fetchFailures: [UInt32: Int] = [:]
    static let maxFetchAttempts = 3

    public init(settings: Settings, intake: EmailIntake, database: IntakeDatabase, logger: Logger) {
        self.settings = settings
        self.intake = intake
        self.database = database
        self.logger = logger
    }

    /// Takes every new message of every mailbox; stops between messages when asked.
    public func poll(shouldStop: @Sendable () -> Bool = { false }) async throws -> Summary {
        var summary = Summary()
        var firstError: (any Error)?
        for mailbox in settings.mailboxes where !shouldStop() {
            do {
                try await poll(mailbox, into: &summary, shouldStop: shouldStop)
            } catch {
                // One mailbox failing (renamed, a message that cannot be fetched) does not
                // keep the others waiting; the next poll starts on a fresh connection.
                logger.error("mailbox poll failed", metadata: [
                    "intake.source": "\(intake.settings.source)", "intake.mailbox": "\(mailbox)", "error": "\(error)",
                ])
                await onQueue { self.client?.close(); self.client = nil }
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return summary
    }

    public func close() async {
        await onQueue { self.client?.close(); self.client = nil }
    }

    private func poll(_ mailbox: String, into summary: inout Summary, shouldStop: @Sendable () -> Bool) async throws {
        let status = try await imap { try $0.select(mailbox) }
        let checkpoint = try database.checkpoint(source: intake.settings.source, mailbox: mailbox)
        var from: UInt32 = 1
        if let checkpoint {
            if checkpoint.uidValidity == status.uidValidity {
                from = checkpoint.lastUID &+ 1
            } else {
                // Every UID may mean another message now: take the mailbox again from the
                // start; what was taken before is recognised by Message-ID or by its bytes.
                logger.warning("mailbox UIDVALIDITY changed; reading it again from the start", metadata: [
                    "intake.source": "\(intake.settings.source)", "intake.mailbox": "\(mailbox)",
                    "intake.uidvalidity.old": "\(checkpoint.uidValidity)", "intake.uidvalidity.new": "\(status.uidValidity)",
                ])
            }
        }
        guard status.exists > 0 else { return }
        let first = from
        let uids = try await imap { try $0.uids(from: first, in: mailbox) }
        // The next message is fetched while this one commits: the IMAP queue is serial, so
        // the `\Seen` or move of this one still follows its commit, and a fetch is what
        // mostly took a message's time. (A message fetched ahead but not taken, because the
        // poll stopped, is taken by its UID next time like any other.)
        var ahead: (uid: UInt32, fetch: Task<Data, any Error>)?
        defer { ahead?.fetch.cancel() }
        for (index, uid) in uids.enumerated() where !shouldStop() {
            let raw: Data
            do {
                if let prefetched = ahead, prefetched.uid == uid {
                    ahead = nil
                    raw = try await prefetched.fetch.value
                } else {
                    raw = try await imap { try $0.fetch(uid: uid, in: mailbox) }
                }
                fetchFailures[uid] = nil
                if index + 1 < uids.count {
                    let next = uids[index + 1]
                    ahead = (next, Task { try await self.imap { try $0.fetch(uid: next, in: mailbox) } })
                }
            } catch let error as IMAPError where error.isTooLarge {
                // Not downloaded at all: passed over with the reason, left on the server.
                summary.refused += 1
                try await intake.refuse(mailbox: mailbox, uid: uid, uidValidity: status.uidValidity, reason: error.description)
                continue
            } catch {
                // A message that fails to download poll after poll (too slow, broken on the
                // server) would hold up every later one: after a few tries it is passed over,
                // traced as refused, and left on the server for a person.
                let failures = (fetchFailures[uid] ?? 0) + 1
                fetchFailures[uid] = failures
                guard failures >= Self.maxFetchAttempts else { throw error }
                fetchFailures[uid] = nil
                summary.refused += 1
                try await intake.refuse(
                    mailbox: mailbox, uid: uid, uidValidity: status.uidValidity,
                    reason: "could not be fetched in \(failures) polls: \(error)")
                continue
            }
            summary.fetched += 1
            switch try await intake.take(raw, mailbox: mailbox, uid: uid, uidValidity: status.uidValidity) {
            case .admitted(let outcomes):
                let counts = AdmissionCounts(outcomes)
                summary.created += counts.created + counts.duplicates
                summary.duplicates += counts.duplicates
                summary.followups += counts.followups
                summary.repeats += counts.repeats
            case .ignored: summary.ignored += 1
            case .repeat: summary.repeats += 1
            }
            do {
                switch settings.after {
                case .keep: break
                case .markSeen: try await imap { try $0.markSeen(uid: uid, in: mailbox) }
                case .move(let target): try await imap { try $0.move(uid: uid, from: mailbox, to: target) }
                }
            } catch {
                // The message is committed; only the server-side tidy-up failed.
                logger.warning("could not mark or move a taken message", metadata: [
                    "intake.source": "\(intake.settings.source)", "intake.mailbox": "\(mailbox)", "intake.uid": "\(uid)", "error": "\(error)",
                ])
            }
        }
    }

    /// Runs `body` with the connection, on the IMAP queue.
    private func imap<T: Sendable>(_ body: @escaping @Sendable (IMAPClient) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    if self.client == nil { self.client = try IMAPClient(configuration: self.settings.imap) }
                    continuation.resume(returning: try body(self.client!))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    private func onQueue(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { continuation in
            queue.async {
                body()
                continuation.resume()
            }
        }
    }
}
