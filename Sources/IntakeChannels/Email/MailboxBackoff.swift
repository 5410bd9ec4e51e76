/// When each mailbox of a source may be polled again after failing: the poll interval after
/// the first failure, twice as long after each further one, at most five minutes; a success
/// clears it. Per mailbox, so that a missing or broken folder waits alone while the others
/// keep the poll interval. No jitter: one client polls these mailboxes, there is no crowd
/// to spread.
struct MailboxBackoff {
    var initialSecs: Double
    var maxSecs: Double = 300
    private var failures: [String: (count: Int, retryAt: ContinuousClock.Instant)] = [:]

    init(initialSecs: Double) {
        self.initialSecs = initialSecs
    }

    /// Whether `mailbox` is still waiting out its backoff at `now`.
    func isWaiting(_ mailbox: String, at now: ContinuousClock.Instant) -> Bool {
        failures[mailbox].map { now < $0.retryAt } ?? false
    }

    /// Records a failed poll of `mailbox`; returns how long it now waits, in seconds.
    mutating func failed(_ mailbox: String, at now: ContinuousClock.Instant) -> Double {
        let count = (failures[mailbox]?.count ?? 0) + 1
        let wait = min(maxSecs, initialSecs * Double(1 << min(count - 1, 16)))
        failures[mailbox] = (count, now + .milliseconds(Int(wait * 1000)))
        return wait
    }

    mutating func succeeded(_ mailbox: String) {
        failures[mailbox] = nil
    }
}
