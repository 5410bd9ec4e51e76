import Foundation
import IntakeCore
import IntakeStore

/// `intake status`: outbox depth and age, recent deliveries, dead letters, email
/// acknowledgements by state, and the last activity of every sink and channel.
public struct StatusReport {
    let status: StoreStatus
    /// Acknowledgements `pending`, `sent` and `failed` (given up).
    let acknowledgements: [String: Int]
    let timestamps: Timestamp
    let now: Date

    public init(configuration: LoadedConfiguration, now: Date = Date()) throws {
        let database = try configuration.openDatabase()
        defer { database.close() }
        status = try database.status(now: now)
        acknowledgements = try database.acknowledgementCounts()
        timestamps = Timestamp(timeZone: configuration.timeZone)
        self.now = now
    }

    var oldestPendingAgeSecs: Double? { status.oldestPendingQueuedAt.map { now.timeIntervalSince($0) } }

    public func text() -> String {
        var lines = [
            "outbox depth        \(status.outboxDepth)" + (oldestPendingAgeSecs.map { String(format: " (oldest %.1f s)", $0) } ?? "")
                + (status.heldBehindDeadLetters > 0 ? ", \(status.heldBehindDeadLetters) held behind dead letters" : ""),
            "delivered           \(status.deliveredLastMinute) in the last minute, \(status.deliveredLastHour) in the last hour",
            "dead letters        \(status.deadLetters)" + (status.deadLetters > 0 ? "  (intake dead list)" : ""),
        ]
        if !acknowledgements.isEmpty {
            lines.append("acknowledgements    " + ["pending", "sent", "failed"].map { "\(acknowledgements[$0, default: 0]) \($0)" }.joined(separator: ", "))
        }
        for sink in status.sinks {
            lines.append("sink \(sink.sink)".padding(toLength: 20, withPad: " ", startingAt: 0)
                + "last delivery \(sink.lastDeliveredAt.map(timestamps.format) ?? "never")"
                + (sink.lastFailedAt.map { ", last failure \(timestamps.format($0)): \(sink.lastError ?? "")" } ?? ""))
        }
        for channel in status.channels {
            lines.append("\(channel.channel)/\(channel.source)".padding(toLength: 20, withPad: " ", startingAt: 0)
                + "last input \(timestamps.format(channel.lastReceivedAt))")
        }
        if status.channels.isEmpty { lines.append("channels            no input yet") }
        return lines.joined(separator: "\n")
    }

    public func json() -> String {
        JSONValue.object([
            "outbox_depth": .number(Double(status.outboxDepth)),
            "oldest_pending_age_secs": oldestPendingAgeSecs.map(JSONValue.number) ?? .null,
            "held_behind_dead_letters": .number(Double(status.heldBehindDeadLetters)),
            "delivered_last_minute": .number(Double(status.deliveredLastMinute)),
            "delivered_last_hour": .number(Double(status.deliveredLastHour)),
            "dead_letters": .number(Double(status.deadLetters)),
            "acknowledgements": .object(Dictionary(uniqueKeysWithValues: ["pending", "sent", "failed"].map {
                ($0, JSONValue.number(Double(acknowledgements[$0, default: 0])))
            })),
            "sinks": .array(status.sinks.map { sink in
                .object([
                    "sink": .string(sink.sink),
                    "last_delivered_at": sink.lastDeliveredAt.map { .string(timestamps.format($0)) } ?? .null,
                    "last_failed_at": sink.lastFailedAt.map { .string(timestamps.format($0)) } ?? .null,
                    "last_error": sink.lastError.map(JSONValue.string) ?? .null,
                ])
            }),
            "channels": .array(status.channels.map { channel in
                .object([
                    "channel": .string(channel.channel), "source": .string(channel.source),
                    "last_received_at": .string(timestamps.format(channel.lastReceivedAt)),
                ])
            }),
        ]).serialized()
    }
}
