import Foundation
import IntakeCore
import IntakeStore

/// `intake dead list | show | replay`.
public struct DeadLetterReport {
    let database: IntakeDatabase
    let timestamps: Timestamp

    public init(configuration: LoadedConfiguration) throws {
        database = try configuration.openDatabase()
        timestamps = Timestamp(timeZone: configuration.timeZone)
    }

    public func close() { database.close() }

    public func list(since: Date?, channel: String?, json: Bool) throws -> String {
        let letters = try database.deadLetters(since: since, channel: channel)
        if json { return JSONValue.array(letters.map(summary)).serialized() }
        if letters.isEmpty { return "no dead letters" }
        return TextTable.render(
            header: ["ID", "DEAD AT", "CASE", "CHANNEL", "EVENT", "ATTEMPTS", "HELD BACK", "LAST ERROR"],
            rows: letters.map { letter in
                [
                    String(letter.outboxID), timestamps.format(letter.deadAt), letter.caseID, "\(letter.channel)/\(letter.source)",
                    letter.event, String(letter.attempts), String(letter.heldBack), String((letter.lastError ?? "").prefix(120)),
                ]
            })
    }

    /// The event and every attempt with its outcome; nil when `id` is not a dead letter.
    public func show(_ id: String, json: Bool) throws -> String? {
        guard let letter = try database.deadLetter(id) else { return nil }
        let attempts = try database.deliveryAttempts(of: letter)
        let event = (try? JSONParser.parse(Array(letter.payload))) ?? .string(String(decoding: letter.payload, as: UTF8.self))
        if json {
            var object = summary(letter)
            if case .object(var members) = object {
                members["event_payload"] = event
                members["attempts_log"] = .array(attempts.map { TraceReport.json($0, timestamps) })
                object = .object(members)
            }
            return object.serialized()
        }
        var lines = [
            "dead letter \(letter.outboxID): \(letter.event) of case \(letter.caseID) (\(letter.channel)/\(letter.source))",
            "idempotency key  \(letter.idempotencyKey)",
            "queued           \(timestamps.format(letter.queuedAt))"
                + (letter.replayedAt.map { ", replayed \(timestamps.format($0))" } ?? ""),
            "dead since       \(timestamps.format(letter.deadAt)) after \(letter.attempts) attempt(s)",
            "last error       \(letter.lastError ?? "-")",
            "held back        \(letter.heldBack) later event(s) of the case, released in order by a replay",
            "",
            TextTable.render(
                header: ["TIME", "STEP", "DETAIL"],
                rows: attempts.map { [timestamps.format($0.at), $0.step, [$0.actor.map { "by \($0)" }, $0.detail].compactMap { $0 }.joined(separator: " ")] }),
            "",
            "event:",
            event.serialized(),
        ]
        if attempts.isEmpty { lines.remove(at: 7) }
        return lines.joined(separator: "\n")
    }

    /// Replays the given dead letters (outbox ids or idempotency keys), or all since a time.
    public func replay(ids: [String], all: Bool, since: Date?, actor: String) async throws -> (replayed: [Int64], unknown: [String]) {
        var outboxIDs: [Int64] = []
        var unknown: [String] = []
        if all || since != nil {
            outboxIDs = try database.deadLetters(since: since).map(\.outboxID)
        }
        for id in ids {
            if let letter = try database.deadLetter(id) { outboxIDs.append(letter.outboxID) } else { unknown.append(id) }
        }
        return (try await database.replayDeadLetters(outboxIDs, actor: actor), unknown)
    }

    private func summary(_ letter: DeadLetter) -> JSONValue {
        .object([
            "id": .number(Double(letter.outboxID)), "case_id": .string(letter.caseID), "channel": .string(letter.channel),
            "source": .string(letter.source), "event": .string(letter.event), "idempotency_key": .string(letter.idempotencyKey),
            "attempts": .number(Double(letter.attempts)), "queued_at": .string(timestamps.format(letter.queuedAt)),
            "replayed_at": letter.replayedAt.map { .string(timestamps.format($0)) } ?? .null,
            "dead_at": .string(timestamps.format(letter.deadAt)), "last_error": letter.lastError.map(JSONValue.string) ?? .null,
            "held_back": .number(Double(letter.heldBack)),
        ])
    }
}
