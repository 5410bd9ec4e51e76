import Foundation
import IntakeCore
@testable import IntakeStore
import Testing

@Suite struct OutboxTests {
    @Test func eventsOfOneCaseWaitForTheEarlierOne() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        let first = sampleCase(ref: "a")
        try await insert(first, into: database)
        try await database.intake { try $0.enqueue(.updated, of: first) }
        let other = sampleCase(ref: "b")
        try await insert(other, into: database)
        let due = try await database.dueEvents(limit: 10)
        #expect(due.map(\.caseID) == [first.id, other.id])
        #expect(due.first?.event == "case.created")

        try await database.record([(due[0], .delivered(detail: "ok")), (due[1], .delivered(detail: "ok"))], sink: "test")
        let next = try await database.dueEvents(limit: 10)
        #expect(next.map(\.event) == ["case.updated"])
    }

    @Test func aRetryIsNotDueBeforeItsTime() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        try await insert(sampleCase(ref: "a"), into: database)
        let event = try #require(await database.dueEvents(limit: 1).first)
        let later = Date().addingTimeInterval(60)
        try await database.record([(event, .retryAt(later, reason: "HTTP 503"))], sink: "test")
        #expect(try await database.dueEvents(limit: 10).isEmpty)
        let retried = try #require(await database.dueEvents(now: later.addingTimeInterval(1), limit: 10).first)
        #expect(retried.attempts == 1)
        #expect(retried.payload == event.payload)
    }

    @Test func deadLettersLeaveTheQueueAndAreTraced() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        let value = sampleCase(ref: "a")
        try await insert(value, into: database)
        let event = try #require(await database.dueEvents(limit: 1).first)
        try await database.record([(event, .deadLetter(reason: "HTTP 400"))], sink: "test")
        #expect(try await database.dueEvents(limit: 10).isEmpty)
        #expect(try database.outboxCounts().dead == 1)
        #expect(try database.traceEntries(for: value.id).map(\.step) == ["received", "normalised", "stored", "queued", "dead_lettered"])
    }

    @Test func laterEventsOfACaseWaitBehindItsDeadLetterUntilAReplayReleasesThem() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        let value = sampleCase(ref: "a")
        try await insert(value, into: database)
        let created = try #require(await database.dueEvents(limit: 1).first)
        try await database.record([(created, .deadLetter(reason: "HTTP 400"))], sink: "test")
        try await database.intake { _ = try $0.enqueue(.updated, of: value) }
        try await database.intake { _ = try $0.enqueue(.updated, of: value) }
        let other = sampleCase(ref: "b")
        try await insert(other, into: database)
        #expect(try await database.dueEvents(limit: 10).map(\.caseID) == [other.id])
        #expect(try database.deadLetters().map(\.heldBack) == [2])

        _ = try await database.replayDeadLetters([created.id], actor: "test")
        var order: [String] = []
        while let event = try await database.dueEvents(limit: 10).first(where: { $0.caseID == value.id }) {
            order.append(event.event)
            try await database.record([(event, .delivered(detail: "ok"))], sink: "test")
        }
        #expect(order == ["case.created", "case.updated", "case.updated"])
    }

    @Test func aReplayKeepsTheOriginalQueueTime() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        try await insert(sampleCase(ref: "a"), into: database)
        let event = try #require(await database.dueEvents(limit: 1).first)
        try await database.record([(event, .deadLetter(reason: "HTTP 400"))], sink: "test")
        try await Task.sleep(for: .milliseconds(20))
        _ = try await database.replayDeadLetters([event.id], actor: "test")
        let replayed = try #require(await database.dueEvents(limit: 1).first)
        #expect(replayed.queuedAt == event.queuedAt)
        let replayedAt = try #require(replayed.replayedAt)
        #expect(replayedAt > event.queuedAt)
        #expect(try database.status().oldestPendingQueuedAt == event.queuedAt)

        try await database.record([(replayed, .deadLetter(reason: "HTTP 400"))], sink: "test")
        let letter = try #require(try database.deadLetters().first)
        #expect(letter.queuedAt == event.queuedAt)
        #expect(letter.replayedAt == replayedAt)
    }

    @Test func theOldestPendingAgeIsTheEarliestQueueTimeNotTheLowestID() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        try await insert(sampleCase(ref: "a"), into: database)
        try await insert(sampleCase(ref: "b"), into: database)
        let due = try await database.dueEvents(limit: 10)
        #expect(due.count == 2)
        // The lower id queued later (as after the clock was stepped back).
        try await database.intake { transaction in
            try transaction.db.execute(sql: "UPDATE outbox SET queued_at = queued_at + 60 WHERE id = ?", arguments: [due[0].id])
        }
        #expect(try database.status().oldestPendingQueuedAt == due[1].queuedAt)
    }
}
