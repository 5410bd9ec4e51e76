import Foundation
import IntakeCore
import IntakeStore
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
}
