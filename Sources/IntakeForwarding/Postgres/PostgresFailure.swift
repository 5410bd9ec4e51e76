import PostgresNIO

/// What a failed insert means for its events: the one place the `postgres` sink reads errors.
enum PostgresFailure: Error, Hashable {
    /// The server, the network or the pool: the same insert may pass later (`retry`).
    case transient(String)
    /// A row the server refused for its content (SQLSTATE class 22 or 23: not JSON, a NUL
    /// byte, …). In a batch, only some events may be at fault, so they are tried one by one.
    case badData(String)
    /// An insert that can never pass as configured (class 42: permission denied, a table of
    /// another shape; class 0A): `reject`.
    case permanent(String)

    /// The table has gone (42P01): it is created again before the next insert, and the round retried.
    static let undefinedTable = "42P01"

    var reason: String {
        switch self {
        case .transient(let reason), .badData(let reason), .permanent(let reason): reason
        }
    }

    init(_ error: any Error, server: String) {
        switch error {
        case let failure as PostgresFailure:
            self = failure
        case let error as PSQLError:
            self.init(error, server: server)
        case is CancellationError:
            self = .transient("cancelled")
        default:
            // The pool's own errors (circuit breaker tripped, pool shut down) and anything unforeseen.
            self = .transient("postgres \(server): \(error)")
        }
    }

    private init(_ error: PSQLError, server: String) {
        guard error.code == .server, let info = error.serverInfo, let state = info[.sqlState] else {
            let underlying = error.underlying.map { ": \($0)" } ?? ""
            self = .transient("postgres \(server): \(error.code)\(underlying)")
            return
        }
        var reason = "SQLSTATE \(state): \(info[.message] ?? "no message")"
        if let detail = info[.detail] { reason += " (\(detail))" }
        switch state.prefix(2) {
        case "22", "23": self = .badData(reason)
        case "42" where state != Self.undefinedTable, "0A": self = .permanent(reason)
        // 08 connection, 28 authentication, 3D no such database, 40 rollback, 53 resources,
        // 55 lock, 57 shutdown or cancel, 58 and XX server trouble, 42P01 table gone, …
        default: self = .transient("postgres \(server): \(reason)")
        }
    }
}
