import Foundation
import GRDB
import IntakeCore
import IntakePipeline
@testable import IntakeStore
import Testing

@Suite struct AdmissionTests {
    static let text = "我司位于泰达街道的厂房扩建事项已提交两个月，至今没有答复，请问目前进度如何？希望尽快协调办理。"

    static func item(ref: String, text: String = text, uscc: String = "91120116MA07K3RD93") -> AdmissionItem {
        var value = sampleCase(ref: ref)
        value.description = text
        value.enterprise = Enterprise(name: "天津某某科技有限公司", uscc: USCC(uscc))
        let probe = DedupProbe(intakeCase: value, at: Date(), policy: DedupPolicy())
        return AdmissionItem(value, probe: probe)
    }

    @Test func twoNearDuplicatesInOneBatchAreDecidedInOrder() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        let items = try await database.findCandidates([Self.item(ref: "a"), Self.item(ref: "b", text: "您好，" + Self.text)])
        let outcomes = try await database.intake { transaction in
            try transaction.storeRaw(sha256: items[0].intakeCase.rawSHA256, channel: .webhook, source: "portal", mediaType: "application/json", body: Data("{}".utf8))
            return try items.map { try transaction.admit($0) }
        }
        #expect(outcomes[0] == .created(caseID: items[0].intakeCase.id, possibleDuplicateOf: nil))
        guard case .duplicate(_, let original, _) = outcomes[1] else { Issue.record("not a duplicate: \(outcomes[1])"); return }
        #expect(original == items[0].intakeCase.id)
    }

    @Test func aCaseCommittedAfterTheSnapshotIsStillFound() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        // The second item's candidates are read before the first one is committed.
        let later = try await database.findCandidates([Self.item(ref: "b", text: Self.text + "谢谢")])
        let first = try await database.findCandidates([Self.item(ref: "a")])
        try await insertRaw(first[0], into: database)
        _ = try await database.intake { try $0.admit(first[0]) }
        let outcome = try await database.intake { try $0.admit(later[0]) }
        guard case .duplicate(_, let original, _) = outcome else { Issue.record("not a duplicate: \(outcome)"); return }
        #expect(original == first[0].intakeCase.id)
    }

    @Test func aCaseWhoseJobWasRolledBackIsNeverACandidate() async throws {
        struct Refused: Error {}
        let (database, _) = try makeDatabase()
        defer { database.close() }
        let lost = try await database.findCandidates([Self.item(ref: "a")])
        try await insertRaw(lost[0], into: database)
        await #expect(throws: Refused.self) {
            try await database.intake { transaction in
                _ = try transaction.admit(lost[0])
                throw Refused()
            }
        }
        let next = try await database.findCandidates([Self.item(ref: "b", text: "您好，" + Self.text)])
        let outcome = try await database.intake { try $0.admit(next[0]) }
        #expect(outcome == .created(caseID: next[0].intakeCase.id, possibleDuplicateOf: nil))
    }

    @Test func theIndexIsRebuiltWhenTheStoreOpensAgain() async throws {
        let (database, directory) = try makeDatabase()
        let first = try await database.findCandidates([Self.item(ref: "a")])
        try await insertRaw(first[0], into: database)
        _ = try await database.intake { try $0.admit(first[0]) }
        database.close()
        let reopened = try IntakeDatabase(path: directory.appendingPathComponent("intake.sqlite").path)
        defer { reopened.close() }
        let again = try await reopened.findCandidates([Self.item(ref: "b", text: "您好，" + Self.text)])
        let outcome = try await reopened.intake { try $0.admit(again[0]) }
        guard case .duplicate = outcome else { Issue.record("not a duplicate after reopening: \(outcome)"); return }
    }

    @Test func anEventKeepsTheDocumentItWasQueuedWithWhenTheCaseIsUpdated() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        var original = sampleCase(ref: "row-1")
        original.channel = .hotline
        let created = AdmissionItem(original, versioning: .versioned)
        try await insertRaw(created, into: database)
        _ = try await database.intake { try $0.admit(created) }
        let stored = try #require(try await database.dueEvents(limit: 10).first)
        #expect(try await database.intake { transaction in
            try Data.fetchOne(transaction.db, sql: "SELECT payload FROM outbox") } == nil, "no second copy of the case")

        var changed = original
        changed.id = UUIDv7.generate()
        changed.description = "厂房用地规划许可进度咨询（补充材料已提交）"
        let update = AdmissionItem(changed, versioning: .versioned)
        let outcome = try await database.intake { try $0.admit(update) }
        #expect(outcome == .updated(caseID: original.id))
        let due = try await database.dueEvents(limit: 10)
        #expect(due.first?.payload == stored.payload, "case.created still carries the document it was queued with")
        try await database.record([(due[0], .delivered(detail: "ok"))], sink: "test")
        let queued = try #require(try await database.dueEvents(limit: 10).first)
        #expect(queued.event == "case.updated")
        let envelope = try JSONSerialization.jsonObject(with: queued.payload) as? [String: Any]
        #expect((envelope?["case"] as? [String: Any])?["description"] as? String == changed.description)
        #expect(envelope?["idempotency_key"] as? String == "\(original.id).updated")
    }

    @Test func aCasesIntakeStepsAreOneTraceRecordShownStepByStep() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        let item = try await database.findCandidates([Self.item(ref: "a")])[0]
        try await insertRaw(item, into: database)
        _ = try await database.intake { try $0.admit(item) }
        let id = item.intakeCase.id
        let rows = try await database.intake { transaction in
            try String.fetchAll(transaction.db, sql: "SELECT step FROM trace WHERE case_id = ?", arguments: [id])
        }
        #expect(rows == ["admitted"])
        #expect(try database.traceEntries(for: id).map(\.step) == ["received", "normalised", "deduplicated", "stored", "queued"])
    }

    @Test func theEnvelopeBuiltAtDeliveryIsTheOneCaseEventWrites() async throws {
        let (database, _) = try makeDatabase()
        defer { database.close() }
        let value = sampleCase(ref: "a")
        try await insert(value, into: database)
        let event = try #require(try await database.dueEvents(limit: 1).first)
        let expected = CaseEvent.envelope(
            event: .created, idempotencyKey: CaseEvent.idempotencyKey(caseID: value.id, event: .created), emittedAt: value.receivedAt,
            caseJSON: try value.encoded())
        #expect(event.payload == expected)
    }

    @Test func aStoreOfTheEarlierSchemaIsMigrated() async throws {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("intake.sqlite").path
        let old = try DatabasePool(path: path)
        try Migrations.migrator.migrate(old, upTo: "2026-11-27 dedup index")
        let signature = MinHashSignature(text: Self.text)
        var bytes = Data([1])
        for value in signature.values { withUnsafeBytes(of: (value << 16).littleEndian) { bytes.append(contentsOf: $0) } }
        let version1 = bytes
        let caseID = UUIDv7.generate()
        let envelope = Data(#"{"case":{"id":"old"},"event":"case.created"}"#.utf8)
        try await old.write { db in
            try db.execute(sql: "INSERT INTO raw_input (sha256, channel, source, media_type, size, received_at, body) VALUES ('r', 'webhook', 'portal', 'application/json', 2, 0, X'7B7D')")
            try db.execute(sql: "INSERT INTO intake_case (id, channel, source, ref, raw_sha256, received_at, document) VALUES (?, 'webhook', 'portal', 'old-1', 'r', 0, '{}')", arguments: [caseID])
            try db.execute(sql: "INSERT INTO outbox (case_id, event, idempotency_key, payload, queued_at, next_attempt_at) VALUES (?, 'case.created', 'k', ?, 0, 0)", arguments: [caseID, envelope])
            try db.execute(sql: "INSERT INTO dedup_case (case_id, at, category, keys, signature, bands) VALUES (?, ?, NULL, 'uscc:91120116MA07K3RD93', ?, X'')", arguments: [caseID, Date().timeIntervalSince1970, version1])
        }
        try old.close()

        let database = try IntakeDatabase(path: path)
        defer { database.close() }
        #expect(try await database.dueEvents(limit: 1).first?.payload == envelope, "a queued event keeps its envelope")
        let item = Self.item(ref: "new-1")
        try await insertRaw(item, into: database)
        let outcome = try await database.intake { try $0.admit(item) }
        guard case .duplicate(_, let original, _) = outcome else { Issue.record("the migrated signature was not found: \(outcome)"); return }
        #expect(original == caseID)
    }

    private func insertRaw(_ item: AdmissionItem, into database: IntakeDatabase) async throws {
        try await database.intake { transaction in
            try transaction.storeRaw(sha256: item.intakeCase.rawSHA256, channel: item.intakeCase.channel, source: item.intakeCase.source, mediaType: "application/json", body: Data("{}".utf8))
        }
    }
}
