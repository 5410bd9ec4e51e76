import Synchronization

/// When each part of the daemon (the forwarder, each spool, each mailbox source, the webhook
/// listener) was last seen making progress. The first beat of a part means it is up; the
/// systemd watchdog is fed only while no part has been silent too long.
final class Heartbeats: Sendable {
    private let beats = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Parts whose silence means nothing (the webhook listener waits for requests).
    private let quietAllowed = Mutex<Set<String>>([])

    /// Marks `part` alive now.
    func beat(_ part: String) {
        let now = ContinuousClock.now
        beats.withLock { $0[part] = now }
    }

    /// Marks `part` up once; it is never stale afterwards.
    func up(_ part: String) {
        beat(part)
        quietAllowed.withLock { _ = $0.insert(part) }
    }

    /// Whether every one of `parts` has beaten at least once.
    func allUp(_ parts: some Sequence<String>) -> Bool {
        let seen = beats.withLock { Set($0.keys) }
        return parts.allSatisfy(seen.contains)
    }

    /// Parts that were up and have not beaten within `limit`.
    func stale(after limit: Duration) -> [String] {
        let now = ContinuousClock.now
        let quiet = quietAllowed.withLock { $0 }
        return beats.withLock { beats in
            beats.filter { !quiet.contains($0.key) && now - $0.value > limit }.map(\.key).sorted()
        }
    }
}
