import Foundation
import IntakeForwarding
import IntakeStore
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(initialBackoffSecs: 1, maxBackoffSecs: 60, maxAttempts: 5, maxAgeSecs: 3600)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func event(attempts: Int, queuedSecondsAgo: Double = 0) -> OutboxEvent {
        OutboxEvent(
            id: 1, caseID: "c", event: "case.created", idempotencyKey: "c.created", payload: Data(), attempts: attempts,
            queuedAt: now.addingTimeInterval(-queuedSecondsAgo))
    }

    @Test func backoffDoublesUpToTheCeiling() {
        #expect((1...8).map { policy.ceiling(afterAttempt: $0) } == [1, 2, 4, 8, 16, 32, 60, 60])
    }

    @Test func fullJitterPicksWithinTheCeiling() {
        let result = policy.decide(.retry(reason: "HTTP 503", notBefore: nil), for: event(attempts: 2), now: now, jitter: { $0 })
        #expect(result == .retryAt(now.addingTimeInterval(4), reason: "HTTP 503"))
        let low = policy.decide(.retry(reason: "HTTP 503", notBefore: nil), for: event(attempts: 2), now: now, jitter: { _ in 0 })
        #expect(low == .retryAt(now, reason: "HTTP 503"))
    }

    @Test func aReceiversRetryAfterIsHonoured() {
        let later = now.addingTimeInterval(120)
        let result = policy.decide(.retry(reason: "HTTP 429", notBefore: later), for: event(attempts: 0), now: now, jitter: { $0 })
        #expect(result == .retryAt(later, reason: "HTTP 429"))
    }

    @Test func givesUpAfterTheLastAttempt() {
        let result = policy.decide(.retry(reason: "HTTP 503", notBefore: nil), for: event(attempts: 4), now: now)
        guard case .deadLetter(let reason) = result else { Issue.record("expected a dead letter, got \(result)"); return }
        #expect(reason.contains("5 attempts"))
    }

    @Test func givesUpWhenTheEventIsTooOld() {
        let result = policy.decide(.retry(reason: "timeout", notBefore: nil), for: event(attempts: 1, queuedSecondsAgo: 3599), now: now, jitter: { $0 })
        guard case .deadLetter = result else { Issue.record("expected a dead letter, got \(result)"); return }
    }

    @Test func aReplayedEventsAgeCountsFromItsReplay() {
        let replayed = OutboxEvent(
            id: 1, caseID: "c", event: "case.created", idempotencyKey: "c.created", payload: Data(), attempts: 0,
            queuedAt: now.addingTimeInterval(-7200), replayedAt: now.addingTimeInterval(-10))
        let result = policy.decide(.retry(reason: "HTTP 503", notBefore: nil), for: replayed, now: now, jitter: { $0 })
        #expect(result == .retryAt(now.addingTimeInterval(1), reason: "HTTP 503"))
    }

    @Test func anEventTheSinkDidNotSendHasNothingRecorded() {
        #expect(policy.decide(.deferred(reason: "round time used up"), for: event(attempts: 3), now: now) == nil)
    }

    @Test func rejectionsAreDeadLetteredAtOnce() {
        #expect(policy.decide(.reject(reason: "HTTP 400"), for: event(attempts: 0), now: now) == .deadLetter(reason: "HTTP 400"))
    }
}
