import Foundation
import Synchronization

/// Refuses logins from an address, or for a user name, that failed `maxFailures` times
/// within `lockoutSecs`, until the oldest of those failures is that old. A success clears
/// the user name's count (not the address's: one right password does not license guessing).
public final class LoginThrottle: Sendable {
    private let failures = Mutex<[String: [Date]]>([:])
    let maxFailures: Int
    let lockoutSecs: TimeInterval
    let clock: @Sendable () -> Date

    public init(maxFailures: Int, lockoutSecs: TimeInterval, clock: @escaping @Sendable () -> Date = Date.init) {
        self.maxFailures = maxFailures
        self.lockoutSecs = lockoutSecs
        self.clock = clock
    }

    /// Seconds until a login under these keys may be tried again; nil when it may now.
    public func retryAfter(_ keys: [String]) -> TimeInterval? {
        let now = clock()
        return failures.withLock { failures in
            keys.compactMap { key -> TimeInterval? in
                let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < lockoutSecs }
                failures[key] = recent.isEmpty ? nil : recent
                guard recent.count >= maxFailures, let oldest = recent.first else { return nil }
                return lockoutSecs - now.timeIntervalSince(oldest)
            }.max()
        }
    }

    public func failed(_ keys: [String]) {
        let now = clock()
        failures.withLock { failures in
            for key in keys { failures[key, default: []].append(now) }
            // Bounded: a flood of made-up user names cannot grow this without limit.
            if failures.count > 10_000 { failures = failures.filter { now.timeIntervalSince($0.value.last ?? now) < lockoutSecs } }
            if failures.count > 10_000 { failures = failures.filter { !$0.key.hasPrefix("user:") } }
        }
    }

    public func succeeded(_ key: String) {
        failures.withLock { _ = $0.removeValue(forKey: key) }
    }
}
