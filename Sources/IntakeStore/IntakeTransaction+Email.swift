import Foundation
import GRDB
import IntakeCore

/// Where a mailbox's polling stands: its UIDVALIDITY and the last UID committed.
public struct MailboxCheckpoint: Sendable, Hashable {
    public var uidValidity: UInt32
    public var lastUID: UInt32

    public init(uidValidity: UInt32, lastUID: UInt32) {
        self.uidValidity = uidValidity
        self.lastUID = lastUID
    }
}

extension IntakeTransaction {
    /// Moves a mailbox's checkpoint; called in the transaction that commits the message.
    public func advanceCheckpoint(source: String, mailbox: String, to checkpoint: MailboxCheckpoint) throws {
        try db.cachedStatement(sql: """
            INSERT INTO mailbox_checkpoint (source, mailbox, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (source, mailbox) DO UPDATE SET
                uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at
            """).execute(arguments: [source, mailbox, Int64(checkpoint.uidValidity), Int64(checkpoint.lastUID), now.timeIntervalSince1970])
    }

    /// Records that the message `uid` of a mailbox was committed; called in the transaction
    /// that commits it, so that a later poll can still mark or move it.
    public func recordTaken(source: String, mailbox: String, uidValidity: UInt32, uid: UInt32) throws {
        try db.cachedStatement(sql: """
            INSERT INTO mailbox_taken (source, mailbox, uid_validity, uid) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
            """).execute(arguments: [source, mailbox, Int64(uidValidity), Int64(uid)])
    }

    /// Whether these exact bytes were already taken on a channel (as a case or as ignored):
    /// raw inputs are kept in the transaction that takes them, under their hash.
    public func rawAlreadyTaken(sha256: String, channel: Channel) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM raw_input WHERE sha256 = ? AND channel = ?)
            """), arguments: [sha256, channel.rawValue]) ?? false
    }

    /// Records an input taken without a case (an auto-reply, a bounce): its ledger entry makes
    /// a repeat of it a no-op, its trace step says why.
    public func recordIgnored(channel: Channel, source: String, ref: String, rawSHA256: String, reason: String, detail: [String: JSONValue] = [:]) throws {
        try db.cachedStatement(sql: """
            INSERT INTO intake_ledger (channel, source, ref, raw_sha256, case_id, received_at) VALUES (?, ?, ?, ?, NULL, ?)
            """).execute(arguments: [channel.rawValue, source, ref, rawSHA256, now.timeIntervalSince1970])
        var detail = detail
        detail["reason"] = .string(reason)
        try trace(TraceStep("ignored", channel: channel, source: source, ref: ref, rawSHA256: rawSHA256, detail: detail))
    }

    /// The case an earlier input of a channel became, by its ref (an email's Message-ID), from any source;
    /// for a message split into one case per demand, the first demand's case (`<ref>#1`).
    public func caseID(channel: Channel, ref: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: """
            SELECT case_id FROM intake_ledger WHERE ref IN (?, ?) AND channel = ? AND case_id IS NOT NULL ORDER BY id LIMIT 1
            """), arguments: [ref, ref + "#1", channel.rawValue])
    }

    /// The case whose id ends with `token` (12 hex digits, as in a subject's `[案件 …]`).
    public func caseID(token: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM intake_case WHERE substr(id, 25) = ? LIMIT 1"), arguments: [token])
    }
}

extension IntakeDatabase {
    /// Of `uids`, those whose messages this source committed from `mailbox` under `uidValidity`, ascending.
    public func takenUIDs(source: String, mailbox: String, uidValidity: UInt32, among uids: [UInt32]) throws -> [UInt32] {
        guard !uids.isEmpty else { return [] }
        return try pool.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT uid FROM mailbox_taken
                WHERE source = ? AND mailbox = ? AND uid_validity = ? AND uid IN (SELECT value FROM json_each(?))
                ORDER BY uid
                """, arguments: [source, mailbox, Int64(uidValidity), JSONValue.array(uids.map { .number(Double($0)) }).serialized()])
                .map { UInt32(truncatingIfNeeded: $0) }
        }
    }

    public func checkpoint(source: String, mailbox: String) throws -> MailboxCheckpoint? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT uid_validity, last_uid FROM mailbox_checkpoint WHERE source = ? AND mailbox = ?", arguments: [source, mailbox])
                .map { MailboxCheckpoint(uidValidity: UInt32(truncatingIfNeeded: $0[0] as Int64), lastUID: UInt32(truncatingIfNeeded: $0[1] as Int64)) }
        }
    }
}
