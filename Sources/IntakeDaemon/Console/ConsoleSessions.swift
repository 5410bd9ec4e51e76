import Crypto
import Foundation
import IntakeChannels
import Synchronization

/// Logged-in sessions, in memory (a restart logs everyone out). A session is found by the
/// SHA-256 of its cookie's token, so neither a lookup's timing nor a memory dump gives a
/// token away; each session has its own CSRF token, which every form carries.
public final class ConsoleSessions: Sendable {
    public struct Session: Sendable, Hashable {
        public let user: String
        public let csrfToken: String
        public let expiresAt: Date
    }

    private let sessions = Mutex<[String: Session]>([:])
    /// What the next page of a session says about the action before it ("已重放 3 条").
    private let flashes = Mutex<[String: String]>([:])
    let lifetimeSecs: TimeInterval
    let clock: @Sendable () -> Date

    public init(lifetimeSecs: TimeInterval, clock: @escaping @Sendable () -> Date = Date.init) {
        self.lifetimeSecs = lifetimeSecs
        self.clock = clock
    }

    /// Opens a session for `user`; the token goes in the cookie.
    public func open(user: String) -> (token: String, session: Session) {
        let token = Self.randomToken()
        let session = Session(user: user, csrfToken: Self.randomToken(), expiresAt: clock().addingTimeInterval(lifetimeSecs))
        let key = Self.key(token)
        let now = clock()
        let live = sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expiresAt > now }
            sessions[key] = session
            return Set(sessions.keys)
        }
        flashes.withLock { flashes in flashes = flashes.filter { live.contains($0.key) } }
        return (token, session)
    }

    /// The live session of a cookie's token; nil when there is none or it expired.
    public func session(token: String?) -> Session? {
        guard let token, !token.isEmpty else { return nil }
        let key = Self.key(token)
        let now = clock()
        return sessions.withLock { sessions in
            guard let session = sessions[key] else { return nil }
            if session.expiresAt <= now {
                sessions[key] = nil
                return nil
            }
            return session
        }
    }

    public func close(token: String?) {
        guard let token else { return }
        let key = Self.key(token)
        sessions.withLock { _ = $0.removeValue(forKey: key) }
        flashes.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Ends every session of `user` (removed, or its password changed).
    public func closeAll(of user: String) {
        sessions.withLock { sessions in sessions = sessions.filter { $0.value.user != user } }
    }

    /// Leaves `text` for the session's next page (after an action's redirect): kept here, not
    /// in the URL, so that a link cannot put words in the console's mouth.
    public func setFlash(_ text: String, token: String) {
        let key = Self.key(token)
        flashes.withLock { $0[key] = text }
    }

    public func takeFlash(token: String) -> String? {
        let key = Self.key(token)
        return flashes.withLock { $0.removeValue(forKey: key) }
    }

    /// Whether a form's token is its session's, compared over every byte.
    public static func csrfMatches(_ session: Session, presented: String?) -> Bool {
        guard let presented else { return false }
        return constantTimeEqual(Array(presented.utf8), Array(session.csrfToken.utf8))
    }

    /// 32 random bytes from the system's generator, base64url without padding.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func key(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
