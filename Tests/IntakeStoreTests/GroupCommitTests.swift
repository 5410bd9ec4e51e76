import Foundation
import IntakeCore
import IntakeStore
import Testing

@Suite struct GroupCommitTests {
    @Test func concurrentIntakeIsAllCommitted() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<500 {
                group.addTask { try await insert(sampleCase(ref: "ref-\(index)"), into: database) }
            }
            try await group.waitForAll()
        }
        #expect(try database.caseCount() == 500)
        #expect(try database.outboxCounts().pending == 500)
    }

    @Test func aFailingJobDoesNotSpoilItsNeighbours() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        struct Refused: Error {}
        async let good1: Void = insert(sampleCase(ref: "good-1"), into: database)
        async let bad: Void = database.intake { transaction in
            try transaction.storeRaw(sha256: String(repeating: "b", count: 64), channel: .webhook, source: "portal", mediaType: "x", body: Data())
            throw Refused()
        }
        async let good2: Void = insert(sampleCase(ref: "good-2"), into: database)
        try await good1
        try await good2
        var refused = false
        do { try await bad } catch is Refused { refused = true }
        #expect(refused)
        #expect(try database.caseCount() == 2)
    }

    @Test func aSecondCaseForTheSameSourceRefIsARepeat() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        let first = sampleCase(ref: "portal-0042")
        try await insert(first, into: database)
        let again = try await database.intake { try $0.admit(AdmissionItem(sampleCase(ref: "portal-0042"))) }
        #expect(again == .repeat(caseID: first.id))
        #expect(try database.caseCount() == 1)
        let existing = try await database.intake { try $0.existingCase(channel: .webhook, source: "portal", ref: "portal-0042") }
        #expect(existing != nil)
    }

    @Test func rawInputsAreStoredOncePerContent() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        try await insert(sampleCase(ref: "one"), into: database)
        try await insert(sampleCase(ref: "two"), into: database)
        #expect(try database.rawInputCount() == 1)
    }

    @Test func storedAnswersAreReturnedForTheSameKey() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        try await database.intake { try $0.storeAnswer(channel: .webhook, source: "portal", key: "k1", requestSHA256: "abc", status: 202, body: Data("{}".utf8)) }
        let answer = try await database.intake { try $0.storedAnswer(channel: .webhook, source: "portal", key: "k1") }
        #expect(answer?.status == 202)
        #expect(answer?.requestSHA256 == "abc")
        await #expect(throws: (any Error).self) {
            try await database.intake { try $0.storeAnswer(channel: .webhook, source: "portal", key: "k1", requestSHA256: "def", status: 202, body: Data()) }
        }
    }

    @Test func aSecondProcessCanReadWhileTheStoreIsOpen() async throws {
        let (database, directory) = try makeDatabase()
        defer { database.close() }
        let caseValue = sampleCase(ref: "shared")
        try await insert(caseValue, into: database)
        let second = try IntakeDatabase(path: directory.appendingPathComponent("intake.sqlite").path)
        defer { second.close() }
        #expect(try second.caseDocument(id: caseValue.id) != nil)
    }
}
