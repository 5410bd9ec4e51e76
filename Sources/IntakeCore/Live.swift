import Synchronization

/// A value that a reload (SIGHUP) may replace while the daemon runs: the normaliser with its
/// taxonomy and holidays, a hotline mapping, the webhook's secrets. Readers take `value` once
/// per unit of work (a request, a file, a message), so in-flight work finishes with the
/// value it started with and the next unit sees the new one.
public final class Live<Value: Sendable>: Sendable {
    private let current: Mutex<Value>

    public init(_ value: Value) {
        current = Mutex(value)
    }

    public var value: Value {
        current.withLock { $0 }
    }

    public func replace(with value: Value) {
        current.withLock { $0 = value }
    }
}
