/// Why the store could not do what was asked. `unavailable` means "try again later"
/// (disk full, I/O error, locked): channels answer 503 with `Retry-After`.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case unavailable(String)
    case closed
    case notFound(String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "store unavailable: \(reason)"
        case .closed: "store is shutting down"
        case .notFound(let what): "not found: \(what)"
        }
    }
}
