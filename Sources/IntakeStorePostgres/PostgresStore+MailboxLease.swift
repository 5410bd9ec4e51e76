import Foundation
import PostgresNIO

/// Mailbox leases: each mailbox is polled by one gateway at a time.
extension PostgresStore {
    /// Takes or renews this gateway's lease on a mailbox for `ttlSecs` (the database's clock);
    /// true when this gateway holds it now. A lease another gateway holds is taken only once it
    /// has expired: a gateway that dies stops renewing, and another takes over within the
    /// lease's length (`2 × poll_interval_secs` is what the email poller is to ask for).
    public func leaseMailbox(source: String, mailbox: String, ttlSecs: Double) async throws -> Bool {
        let node = configuration.node
        let query: PostgresQuery = """
            INSERT INTO mailbox_lease (source, mailbox, holder, acquired_at, expires_at)
            VALUES (\(source), \(mailbox), \(node), now(), now() + make_interval(secs => \(ttlSecs)))
            ON CONFLICT (source, mailbox) DO UPDATE SET
                holder = excluded.holder,
                acquired_at = CASE WHEN mailbox_lease.holder = excluded.holder THEN mailbox_lease.acquired_at ELSE excluded.acquired_at END,
                expires_at = excluded.expires_at
            WHERE mailbox_lease.holder = excluded.holder OR mailbox_lease.expires_at <= now()
            RETURNING holder
            """
        for try await _ in try await client.query(query, logger: logger) { return true }
        return false
    }

    /// Gives a mailbox's lease back (a graceful stop), so that another gateway need not wait for it to expire.
    public func releaseMailbox(source: String, mailbox: String) async throws {
        let node = configuration.node
        try await client.query("DELETE FROM mailbox_lease WHERE source = \(source) AND mailbox = \(mailbox) AND holder = \(node)", logger: logger)
    }
}
