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
/// fetched (left unseen), taken (committed with the checkpoint), then marked `\Seen` or moved.
/// Messages committed earlier but still waiting for their mark or move (the process was
/// killed in between) get it at the next poll. A mailbox that fails waits out its own backoff.
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
        /// A failing mailbox waits this long, then twice as long after each further failure.
        public var pollIntervalSecs: Double

        public init(imap: IMAPClient.Configuration, mailboxes: [String], after: AfterCommit, pollIntervalSecs: Double = 30) {
            self.imap = imap
            self.mailboxes = mailboxes
            self.after = after
            self.pollIntervalSecs = pollIntervalSecs
        }
    }

    /// What one poll did.
    public struct Summary: Sendable, Hashable {
        public var fetched = 0
        /// New cases (`case.created`).
        public var created = 0
        /// New cases linked to an earlier one by deduplication (`case.duplicate`).
        public var duplicates = 0
        public var followups = 0
        public var ignored = 0
        public var repeats = 0
        public var refused = 0
        /// Messages committed by an earlier poll, marked or moved by this one.
        public var tidied = 0
        /// Mailboxes whose poll failed (each then waits out its backoff).
        public var failedMailboxes = 0
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
    /// Committed messages marked or moved together (one line of UIDs, well under libcurl's limits).
    static let finishBatch = 100
    /// Failed mailboxes and when each is polled again (one poll runs at a time).
    private var backoff: MailboxBackoff

    public init(settings: Settings, intake: EmailIntake, database: IntakeDatabase, logger: Logger) {
        self.settings = settings
        self.intake = intake
        self.database = database
        self.logger = logger
        backoff = MailboxBackoff(initialSecs: settings.pollIntervalSecs)
    }

    /// Takes every new message of every mailbox not waiting out a backoff; stops between
    /// messages when asked. A mailbox that fails is logged and counted, never thrown: it
    /// backs off alone (missing, renamed, a message that cannot be fetched, the server down),
    /// and the others keep the poll interval.
    public func poll(shouldStop: @Sendable () -> Bool = { false }) async -> Summary {
        var summary = Summary()
        for mailbox in settings.mailboxes where !shouldStop() {
            guard !backoff.isWaiting(mailbox, at: .now) else { continue }
            do {
                try await poll(mailbox, into: &summary, shouldStop: shouldStop)
                backoff.succeeded(mailbox)
            } catch {
                let wait = backoff.failed(mailbox, at: .now)
                summary.failedMailboxes += 1
                logger.error("mailbox poll failed", metadata: [
                    "intake.source": "\(intake.settings.source)", "intake.mailbox": "\(mailbox)", "error": "\(error)",
                    "intake.retry_in_secs": "\(wait)",
                ])
                // The next mailbox starts on a fresh connection.
                await onQueue { self.client?.close(); self.client = nil }
            }
        }
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
        if let checkpoint, checkpoint.uidValidity == status.uidValidity {
            summary.tidied += try await tidyUp(mailbox, through: checkpoint, shouldStop: shouldStop)
        }
        let first = from
        let uids = try await imap { try $0.uids(from: first, in: mailbox) }
        // The next message is fetched while this one commits: the IMAP queue is serial, so
        // the `\Seen` or move of this one still follows its commit, and a fetch is what
        // mostly took a message's time. (A message fetched ahead but not taken, because the
        // poll stopped, is taken by its UID next time like any other.)
        var ahead: (uid: UInt32, fetch: Task<Data, any Error>)?
        defer { ahead?.fetch.cancel() }
        // Committed, not yet marked or moved: done `finishBatch` at a time, and for the rest
        // at the end, since a fetch needs the mailbox EXAMINEd and a mark or move needs it
        // SELECTed, and switching for every message made each cost ~20 ms instead of ~0.5 ms
        // on a loopback dovecot. A kill before the batch is done leaves its messages to the
        // next poll's tidy-up.
        var committed: [UInt32] = []
        do {
            try await takeNew(
                uids, in: mailbox, uidValidity: status.uidValidity, into: &summary, committed: &committed, ahead: &ahead, shouldStop: shouldStop)
        } catch {
            await finish(committed, in: mailbox)
            throw error
        }
        await finish(committed, in: mailbox)
    }

    /// Fetches and takes `uids` in order; each taken UID goes to `committed`, which is
    /// finished whenever it holds `finishBatch`.
    private func takeNew(
        _ uids: [UInt32], in mailbox: String, uidValidity: UInt32, into summary: inout Summary, committed: inout [UInt32],
        ahead: inout (uid: UInt32, fetch: Task<Data, any Error>)?, shouldStop: @Sendable () -> Bool
    ) async throws {
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
                try await intake.refuse(mailbox: mailbox, uid: uid, uidValidity: uidValidity, reason: error.description)
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
                    mailbox: mailbox, uid: uid, uidValidity: uidValidity,
                    reason: "could not be fetched in \(failures) polls: \(error)")
                continue
            }
            summary.fetched += 1
            switch try await intake.take(raw, mailbox: mailbox, uid: uid, uidValidity: uidValidity) {
            case .admitted(let outcomes):
                let counts = AdmissionCounts(outcomes)
                summary.created += counts.created
                summary.duplicates += counts.duplicates
                summary.followups += counts.followups
                summary.repeats += counts.repeats
            case .ignored: summary.ignored += 1
            case .repeat: summary.repeats += 1
            }
            committed.append(uid)
            if committed.count >= Self.finishBatch {
                await finish(committed, in: mailbox)
                committed = []
            }
        }
    }

    /// Marks or moves the messages at or below the checkpoint that were committed but are
    /// still in the mailbox unmarked: the process died between a commit and its `finish`.
    /// Refused messages are at or below the checkpoint too, but were never committed: the
    /// store's taken UIDs keep them out, and they stay untouched for a person.
    private func tidyUp(_ mailbox: String, through checkpoint: MailboxCheckpoint, shouldStop: @Sendable () -> Bool) async throws -> Int {
        let unseenOnly: Bool
        switch settings.after {
        case .keep: return 0
        case .markSeen: unseenOnly = true
        case .move: unseenOnly = false
        }
        let left = try await imap { try $0.uids(through: checkpoint.lastUID, in: mailbox, unseenOnly: unseenOnly) }
        let taken = try database.takenUIDs(source: intake.settings.source, mailbox: mailbox, uidValidity: checkpoint.uidValidity, among: left)
        var tidied = 0
        var start = 0
        while start < taken.count, !shouldStop() {
            let batch = Array(taken[start..<min(taken.count, start + Self.finishBatch)])
            logger.info("taken messages still in the mailbox; marking or moving them now", metadata: [
                "intake.source": "\(intake.settings.source)", "intake.mailbox": "\(mailbox)",
                "intake.uids": "\(batch.map(String.init).joined(separator: ","))",
            ])
            if await finish(batch, in: mailbox) { tidied += batch.count }
            start += batch.count
        }
        return tidied
    }

    /// The configured `after` action for committed messages, in one command; whether it was done.
    @discardableResult
    private func finish(_ uids: [UInt32], in mailbox: String) async -> Bool {
        guard !uids.isEmpty else { return true }
        do {
            switch settings.after {
            case .keep: break
            case .markSeen: try await imap { try $0.markSeen(uids: uids, in: mailbox) }
            case .move(let target): try await imap { try $0.move(uids: uids, from: mailbox, to: target) }
            }
            return true
        } catch {
            // The messages are committed; only the server-side tidy-up failed (the next poll tries again).
            logger.warning("could not mark or move taken messages", metadata: [
                "intake.source": "\(intake.settings.source)", "intake.mailbox": "\(mailbox)",
                "intake.uids": "\(uids.map(String.init).joined(separator: ","))", "error": "\(error)",
            ])
            return false
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
