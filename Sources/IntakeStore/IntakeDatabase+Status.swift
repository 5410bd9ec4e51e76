import Foundation
import GRDB

/// What an admin checks first: `intake status`.
public struct StoreStatus: Sendable {
    public struct SinkActivity: Sendable {
        public let sink: String
        public let lastDeliveredAt: Date?
        public let lastFailedAt: Date?
        public let lastError: String?
    }

    public struct ChannelActivity: Sendable {
        public let channel: String
        public let source: String
        public let lastReceivedAt: Date
    }

    public let outboxDepth: Int
    /// The earliest first-queue time of a pending event (a replayed one keeps its own).
    public let oldestPendingQueuedAt: Date?
    /// Pending events that wait behind a dead letter of their case (part of the depth).
    public let heldBehindDeadLetters: Int
    public let deliveredLastMinute: Int
    public let deliveredLastHour: Int
    public let deadLetters: Int
    public let sinks: [SinkActivity]
    public let channels: [ChannelActivity]
}

extension IntakeDatabase {
    public func status(now: Date = Date()) throws -> StoreStatus {
        try pool.read { db in
            let depth = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE state = 'pending'") ?? 0
            let oldest = try Double.fetchOne(db, sql: "SELECT min(queued_at) FROM outbox WHERE state = 'pending'")
            let held = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM outbox o WHERE o.state = 'pending'
                  AND EXISTS (SELECT 1 FROM outbox d WHERE d.case_id = o.case_id AND d.id < o.id AND d.state = 'dead')
                """) ?? 0
            let minute = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM outbox WHERE state = 'delivered' AND finished_at >= ?
                """, arguments: [now.timeIntervalSince1970 - 60]) ?? 0
            let hour = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM outbox WHERE state = 'delivered' AND finished_at >= ?
                """, arguments: [now.timeIntervalSince1970 - 3600]) ?? 0
            let dead = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE state = 'dead' AND finished_at IS NOT NULL") ?? 0
            let sinks = try Row.fetchAll(db, sql: "SELECT sink, last_delivered_at, last_failed_at, last_error FROM sink_activity ORDER BY sink").map {
                StoreStatus.SinkActivity(
                    sink: $0[0], lastDeliveredAt: ($0[1] as Double?).map(Date.init(timeIntervalSince1970:)),
                    lastFailedAt: ($0[2] as Double?).map(Date.init(timeIntervalSince1970:)), lastError: $0[3])
            }
            let channels = try Row.fetchAll(db, sql: "SELECT channel, source, last_received_at FROM channel_activity ORDER BY channel, source").map {
                StoreStatus.ChannelActivity(channel: $0[0], source: $0[1], lastReceivedAt: Date(timeIntervalSince1970: $0[2]))
            }
            return StoreStatus(
                outboxDepth: depth, oldestPendingQueuedAt: oldest.map(Date.init(timeIntervalSince1970:)), heldBehindDeadLetters: held,
                deliveredLastMinute: minute, deliveredLastHour: hour, deadLetters: dead, sinks: sinks, channels: channels)
        }
    }
}
