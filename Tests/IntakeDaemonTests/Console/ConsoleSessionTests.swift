import Foundation
import Synchronization
import Testing

@testable import IntakeDaemon

/// A clock a test moves by hand.
final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_780_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ secs: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(secs) } }
}

@Suite struct ConsoleSessionTests {
    @Test func aSessionIsFoundByItsTokenOnlyUntilItExpires() {
        let clock = ManualClock()
        let sessions = ConsoleSessions(lifetimeSecs: 8 * 3600, clock: { clock.now })
        let (token, session) = sessions.open(user: "wang")
        #expect(sessions.session(token: token) == session)
        #expect(sessions.session(token: token + "x") == nil)
        #expect(sessions.session(token: nil) == nil)
        clock.advance(8 * 3600 - 1)
        #expect(sessions.session(token: token)?.user == "wang")
        clock.advance(2)
        #expect(sessions.session(token: token) == nil)
    }

    @Test func loggingOutAndRemovingAUserEndTheirSessions() {
        let sessions = ConsoleSessions(lifetimeSecs: 3600)
        let (first, _) = sessions.open(user: "li")
        let (second, _) = sessions.open(user: "li")
        let (other, _) = sessions.open(user: "zhao")
        sessions.close(token: first)
        #expect(sessions.session(token: first) == nil)
        #expect(sessions.session(token: second) != nil)
        sessions.closeAll(of: "li")
        #expect(sessions.session(token: second) == nil)
        #expect(sessions.session(token: other) != nil)
    }

    @Test func tokensAreLongRandomAndDistinctAndTheCSRFTokenIsNotTheCookie() {
        let sessions = ConsoleSessions(lifetimeSecs: 3600)
        let opened = (0..<50).map { _ in sessions.open(user: "u") }
        let tokens = Set(opened.map(\.token) + opened.map(\.session.csrfToken))
        #expect(tokens.count == 100)
        #expect(opened.allSatisfy { $0.token.count == 43 && $0.token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
    }

    @Test func aFormPassesOnlyWithItsSessionsCSRFToken() {
        let sessions = ConsoleSessions(lifetimeSecs: 3600)
        let (_, session) = sessions.open(user: "u")
        let (_, another) = sessions.open(user: "u")
        #expect(ConsoleSessions.csrfMatches(session, presented: session.csrfToken))
        #expect(!ConsoleSessions.csrfMatches(session, presented: another.csrfToken))
        #expect(!ConsoleSessions.csrfMatches(session, presented: nil))
        #expect(!ConsoleSessions.csrfMatches(session, presented: ""))
        #expect(!ConsoleSessions.csrfMatches(session, presented: String(session.csrfToken.dropLast())))
    }

    @Test func loginsAreRefusedAfterTooManyFailuresUntilTheLockoutPasses() {
        let clock = ManualClock()
        let throttle = LoginThrottle(maxFailures: 3, lockoutSecs: 600, clock: { clock.now })
        let keys = ["address:10.0.0.7", "user:admin"]
        for _ in 0..<2 { throttle.failed(keys) }
        #expect(throttle.retryAfter(keys) == nil)
        throttle.failed(keys)
        let wait = throttle.retryAfter(keys)
        #expect(wait == 600)
        // Another address is refused too while the user name is locked; another user from
        // the address as well.
        #expect(throttle.retryAfter(["address:10.0.0.8", "user:admin"]) != nil)
        #expect(throttle.retryAfter(["address:10.0.0.7", "user:li"]) != nil)
        #expect(throttle.retryAfter(["address:10.0.0.8", "user:li"]) == nil)
        clock.advance(601)
        #expect(throttle.retryAfter(keys) == nil)
    }

    @Test func aSuccessClearsTheUserNameButNotTheAddress() {
        let throttle = LoginThrottle(maxFailures: 2, lockoutSecs: 600)
        throttle.failed(["address:a", "user:u"])
        throttle.succeeded("user:u")
        throttle.failed(["address:a", "user:v"])
        #expect(throttle.retryAfter(["address:b", "user:u"]) == nil)
        #expect(throttle.retryAfter(["address:a"]) != nil)
    }
}

@Suite struct ConsoleRoleTests {
    @Test func eachRoleIncludesTheOnesBelowIt() {
        #expect(ConsoleRole.viewer.allows(.viewer))
        #expect(!ConsoleRole.viewer.allows(.operator))
        #expect(!ConsoleRole.viewer.allows(.admin))
        #expect(ConsoleRole.operator.allows(.viewer) && ConsoleRole.operator.allows(.operator))
        #expect(!ConsoleRole.operator.allows(.admin))
        #expect(ConsoleRole.allCases.allSatisfy { ConsoleRole.admin.allows($0) })
    }
}
