import Foundation
import IntakeStore
import PostgresNIO

/// Mailbox checkpoints, advanced with the messages' cases by the lease's holder only.
extension PostgresStore {
    /// Admits the cases of polled messages and advances the mailbox's checkpoint, in the next
    /// group transaction, provided this gateway still holds the mailbox's lease: the lease row
    /// is locked there (so it cannot be taken over before the commit), and a lease lost
    /// before, to a gateway that took over, throws `mailboxLeaseLost` and admits nothing — the
    /// new holder polls from the checkpoint, and no message is taken by two gateways.
    public func admit(
        _ items: [AdmissionItem], raw: [RawInput], source: String, mailbox: String, advancingTo checkpoint: MailboxCheckpoint
    ) async throws -> [AdmissionOutcome] {
        try await submit(lockKeys: Self.lockKeys(for: items), raw: raw) { admission in
            try await admission.holdLease(source: source, mailbox: mailbox)
            let outcomes = try await admission.admit(items)
            try await admission.advance(source: source, mailbox: mailbox, to: checkpoint)
            return outcomes
        }
    }

    /// Where polling a mailbox resumes; nil before its first commit.
    public func mailboxCheckpoint(source: String, mailbox: String) async throws -> MailboxCheckpoint? {
        let query: PostgresQuery = """
            SELECT uid_validity, last_uid FROM mailbox_checkpoint WHERE source = \(source) AND mailbox = \(mailbox)
            """
        for try await (validity, last) in try await client.query(query, logger: logger).decode((Int64, Int64).self) {
            return MailboxCheckpoint(uidValidity: UInt32(truncatingIfNeeded: validity), lastUID: UInt32(truncatingIfNeeded: last))
        }
        return nil
    }
}

extension PostgresAdmission {
    /// Locks this gateway's unexpired lease on a mailbox until the commit, or throws `mailboxLeaseLost`.
    func holdLease(source: String, mailbox: String) async throws {
        let rows = try await connection.query("""
            SELECT 1 FROM mailbox_lease
            WHERE source = \(source) AND mailbox = \(mailbox) AND holder = \(node) AND expires_at > clock_timestamp()
            FOR SHARE
            """, logger: logger)
        for try await _ in rows { return }
        throw PostgresStoreError.mailboxLeaseLost(source: source, mailbox: mailbox)
    }

    func advance(source: String, mailbox: String, to checkpoint: MailboxCheckpoint) async throws {
        try await connection.query("""
            INSERT INTO mailbox_checkpoint (source, mailbox, uid_validity, last_uid, updated_at, node)
            VALUES (\(source), \(mailbox), \(Int64(checkpoint.uidValidity)), \(Int64(checkpoint.lastUID)), \(now), \(node))
            ON CONFLICT (source, mailbox) DO UPDATE SET
                uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at, node = excluded.node
            """, logger: logger)
    }
}
