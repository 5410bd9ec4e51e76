import Foundation
import GRDB
import IntakeCore

/// A dead letter: an event delivery gave up on.
public struct DeadLetter: Sendable, Hashable {
    public let outboxID: Int64
    public let caseID: String
    public let channel: String
    public let source: String
    public let event: String
    public let idempotencyKey: String
    public let attempts: Int
    /// When the event was first queued (a replay keeps it).
    public let queuedAt: Date
    /// When a replay last put it back in line, if one did.
    public let replayedAt: Date?
    public let deadAt: Date
    public let lastError: String?
    public let payload: Data
    /// Later events of the case that wait behind this dead letter (pending, not sent):
    /// a replay releases them in order.
    public let heldBack: Int
}

extension IntakeDatabase {
    /// Dead letters, oldest first, optionally since a time and for one channel.
    public func deadLetters(since: Date? = nil, channel: String? = nil) throws -> [DeadLetter] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.id, o.case_id, c.channel, c.source, o.event, o.idempotency_key, o.attempts, o.queued_at,
                       o.finished_at, o.last_error, \(Self.payloadSQL), o.replayed_at,
                       (SELECT count(*) FROM outbox h WHERE h.case_id = o.case_id AND h.id > o.id AND h.state = 'pending')
                FROM outbox o JOIN intake_case c ON c.id = o.case_id
                WHERE o.state = 'dead' AND o.finished_at >= ? AND (? IS NULL OR c.channel = ?)
                ORDER BY o.finished_at, o.id
                """, arguments: [since?.timeIntervalSince1970 ?? 0, channel, channel]
            ).map(DeadLetter.init(row:))
        }
    }

    /// One dead letter by outbox id or idempotency key.
    public func deadLetter(_ id: String) throws -> DeadLetter? {
        try pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT o.id, o.case_id, c.channel, c.source, o.event, o.idempotency_key, o.attempts, o.queued_at,
                       o.finished_at, o.last_error, \(Self.payloadSQL), o.replayed_at,
                       (SELECT count(*) FROM outbox h WHERE h.case_id = o.case_id AND h.id > o.id AND h.state = 'pending')
                FROM outbox o JOIN intake_case c ON c.id = o.case_id
                WHERE o.state = 'dead' AND (o.id = ? OR o.idempotency_key = ?)
                """, arguments: [Int64(id), id]
            ).map(DeadLetter.init(row:))
        }
    }

    /// Every recorded attempt of an outbox event, oldest first.
    public func deliveryAttempts(of letter: DeadLetter) throws -> [TraceEntry] {
        try traceEntries(for: letter.caseID).filter { entry in
            guard let detail = entry.detail else { return false }
            return detail.contains("\"idempotency_key\":\"\(letter.idempotencyKey)\"") && entry.step != "queued"
        }
    }

    /// Puts dead letters back in the queue with their idempotency keys and their original
    /// queue time, traced as `replayed` by `actor`; the later events of each case, held behind
    /// it, follow it in order. Returns the outbox ids replayed; ids that are not dead letters
    /// are skipped.
    public func replayDeadLetters(_ ids: [Int64], actor: String) async throws -> [Int64] {
        try await intake { transaction in
            let db = transaction.db
            let now = transaction.now.timeIntervalSince1970
            var replayed: [Int64] = []
            for id in ids {
                guard let row = try Row.fetchOne(db, sql: """
                    SELECT case_id, idempotency_key, attempts FROM outbox WHERE id = ? AND state = 'dead'
                    """, arguments: [id]) else { continue }
                let caseID: String = row["case_id"]
                try db.execute(sql: """
                    UPDATE outbox SET state = 'pending', attempts = 0, replayed_at = ?, next_attempt_at = ?, finished_at = NULL
                    WHERE id = ?
                    """, arguments: [now, now, id])
                // The events that waited behind it get a fresh max_age_secs allowance too.
                try db.execute(sql: """
                    UPDATE outbox SET replayed_at = ? WHERE case_id = ? AND id > ? AND state = 'pending'
                    """, arguments: [now, caseID, id])
                let released = db.changesCount
                try transaction.trace(TraceStep(
                    "replayed", caseID: caseID, actor: actor,
                    detail: [
                        "idempotency_key": .string(row["idempotency_key"]), "attempts_before": .number(Double(row["attempts"] as Int)),
                        "released": .number(Double(released)),
                    ]))
                replayed.append(id)
            }
            return replayed
        }
    }
}

extension DeadLetter {
    init(row: Row) {
        outboxID = row[0]
        caseID = row[1]
        channel = row[2]
        source = row[3]
        event = row[4]
        idempotencyKey = row[5]
        attempts = row[6]
        queuedAt = Date(timeIntervalSince1970: row[7])
        deadAt = Date(timeIntervalSince1970: row[8])
        lastError = row[9]
        payload = row[10]
        replayedAt = (row[11] as Double?).map(Date.init(timeIntervalSince1970:))
        heldBack = row[12]
    }
}

extension IntakeDatabase {
    /// The events of a dead letter's case that wait behind it, in order: `case.updated (12)`.
    public func heldBack(behind letter: DeadLetter) throws -> [String] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, event FROM outbox WHERE case_id = ? AND id > ? AND state = 'pending' ORDER BY id LIMIT 20
                """, arguments: [letter.caseID, letter.outboxID]).map { "\($0[1] as String) (\($0[0] as Int64))" }
        }
    }
}
