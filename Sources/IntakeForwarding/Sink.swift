import IntakeStore

/// Where case events go: the routing queue, behind one of several transports.
///
/// A sink is handed a round of events (at most one per case, oldest first) and answers one
/// outcome per event, in order. It reports `delivered` only once the receiver has the event
/// durably; `retry` for anything that may pass later; `reject` for what never will;
/// `deferred` for what it did not get to send within the round's time.
public protocol Sink: Sendable {
    /// Names the sink in traces, logs and metrics (`file`, `http`, `postgres`).
    var name: String { get }
    func deliver(_ events: [OutboxEvent]) async -> [DeliveryOutcome]
    /// Runs what the sink needs in the background (a connection pool) until cancelled.
    /// The forwarder starts it before its first round and cancels it after its last.
    func run() async throws
}

extension Sink {
    public func run() async throws {}
}
