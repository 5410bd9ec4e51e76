import Foundation
import GRDB
import IntakeCore

/// An acknowledgement waiting to go out, with what the mail needs from its case.
public struct PendingAcknowledgement: Sendable, Hashable {
    public var caseID: String
    public var source: String
    public var recipient: String
    /// The requester's Message-ID.
    public var inReplyTo: String?
    public var attempts: Int
    /// The case as stored (`intake.case.v1`), nil when the case is gone (erased).
    public var document: String?
}

/// Why an acknowledgement was not queued.
public enum AcknowledgementRefusal: String, Sendable, Hashable {
    /// The case has one already.
    case alreadyQueued = "already_queued"
    /// The address had its hourly allowance.
    case rateLimited = "rate_limited"
}

extension IntakeTransaction {
    /// Queues the acknowledgement of a new case, in the transaction that commits it; nil when
    /// queued, else why not (one already, or `recipient` had `perHour` in the last hour).
    public func queueAcknowledgement(
        caseID: String, source: String, recipient: String, inReplyTo: String?, perHour: Int
    ) throws -> AcknowledgementRefusal? {
        let lastHour = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM acknowledgement WHERE recipient = ? AND queued_at > ?
            """), arguments: [recipient, now.timeIntervalSince1970 - 3600]) ?? 0
        if lastHour >= perHour { return .rateLimited }
        try db.cachedStatement(sql: """
            INSERT INTO acknowledgement (case_id, source, recipient, in_reply_to, next_attempt_at, queued_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (case_id) DO NOTHING
            """).execute(arguments: [caseID, source, recipient, inReplyTo, now.timeIntervalSince1970, now.timeIntervalSince1970])
        return db.changesCount == 0 ? .alreadyQueued : nil
    }

    /// Records that the acknowledgement of `caseID` went out.
    public func markAcknowledged(caseID: String) throws {
        try db.execute(sql: """
            UPDATE acknowledgement SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE case_id = ?
            """, arguments: [now.timeIntervalSince1970, caseID])
    }

    /// Records a failed attempt: tried again at `retryAt`, or given up (`failed`) when nil.
    public func acknowledgementFailed(caseID: String, error: String, retryAt: Date?) throws {
        try db.execute(sql: """
            UPDATE acknowledgement SET attempts = attempts + 1, last_error = ?,
                status = CASE WHEN ? IS NULL THEN 'failed' ELSE status END,
                next_attempt_at = coalesce(?, next_attempt_at)
            WHERE case_id = ?
            """, arguments: [String(error.prefix(500)), retryAt?.timeIntervalSince1970, retryAt?.timeIntervalSince1970, caseID])
    }
}

extension IntakeDatabase {
    /// Acknowledgements due at `now`, oldest first.
    public func dueAcknowledgements(now: Date, limit: Int) throws -> [PendingAcknowledgement] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.case_id, a.source, a.recipient, a.in_reply_to, a.attempts, c.document
                FROM acknowledgement a LEFT JOIN intake_case c ON c.id = a.case_id
                WHERE a.status = 'pending' AND a.next_attempt_at <= ? ORDER BY a.next_attempt_at, a.id LIMIT ?
                """, arguments: [now.timeIntervalSince1970, limit])
                .map { PendingAcknowledgement(caseID: $0[0], source: $0[1], recipient: $0[2], inReplyTo: $0[3], attempts: $0[4], document: $0[5]) }
        }
    }

    /// When the next pending acknowledgement is due, if any.
    public func nextAcknowledgementDue() throws -> Date? {
        try pool.read { db in
            try Double.fetchOne(db, sql: "SELECT min(next_attempt_at) FROM acknowledgement WHERE status = 'pending'")
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// How many acknowledgements are in each status (`pending`, `sent`, `failed`).
    public func acknowledgementCounts() throws -> [String: Int] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT status, count(*) FROM acknowledgement GROUP BY status")
                .map { ($0[0] as String, $0[1] as Int) })
        }
    }
}
