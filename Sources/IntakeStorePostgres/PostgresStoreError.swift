/// What the PostgreSQL store found wrong in its own rows.
public enum PostgresStoreError: Error, Hashable, CustomStringConvertible {
    case unreadableEvent(id: Int64, reason: String)
    /// This gateway's lease on the mailbox expired and another gateway may have taken it over.
    case mailboxLeaseLost(source: String, mailbox: String)

    public var description: String {
        switch self {
        case .unreadableEvent(let id, let reason): "outbox event \(id) cannot be delivered: \(reason)"
        case .mailboxLeaseLost(let source, let mailbox): "email source \(source): the lease on mailbox \(mailbox) was lost"
        }
    }
}
