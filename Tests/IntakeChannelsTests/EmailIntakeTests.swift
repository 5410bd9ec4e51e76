import Foundation
import IntakeChannels
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Logging
import Testing

/// The email channel's work without IMAP: `EmailIntake.take` on committed messages, against a
/// temporary store.
@Suite struct EmailIntakeTests {
    static func message(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/email/\(name).eml"))
    }

    static func intake(_ store: TemporaryStore) -> EmailIntake {
        EmailIntake(settings: .init(source: "service"), normalizer: Live(testNormalizer), database: store.database, blobs: store.blobs, logger: Logger(label: "test"))
    }

    @Test func aMessageBecomesACaseAndMovesTheCheckpoint() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let outcome = try await Self.intake(store).take(try Self.message("plain_utf8"), mailbox: "INBOX", uid: 7, uidValidity: 42)
        guard case .admitted(let outcomes) = outcome, case .created(let id, _) = outcomes.first else {
            Issue.record("not admitted: \(outcome)")
            return
        }
        let events = try await store.dueEvents()
        #expect(events.map(\.case.id) == [id])
        #expect(events.first?.case.channel == .email)
        #expect(events.first?.case.ref == "plain-utf8-0001@example.cn")
        #expect(events.first?.case.description.isEmpty == false)
        #expect(try store.database.checkpoint(source: "service", mailbox: "INBOX") == MailboxCheckpoint(uidValidity: 42, lastUID: 7))
    }

    @Test func theSameMessageUnderAnotherUIDIsARepeat() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let intake = Self.intake(store)
        _ = try await intake.take(try Self.message("plain_utf8"), mailbox: "INBOX", uid: 1, uidValidity: 1)
        let again = try await intake.take(try Self.message("plain_utf8"), mailbox: "INBOX", uid: 2, uidValidity: 1)
        guard case .repeat = again else {
            Issue.record("not a repeat: \(again)")
            return
        }
        #expect(try store.database.caseCount() == 1)
    }

    @Test(arguments: ["auto_reply", "bounce"])
    func anAutoReplyOrBounceIsTakenWithoutACase(fixture: String) async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let outcome = try await Self.intake(store).take(try Self.message(fixture), mailbox: "INBOX", uid: 3, uidValidity: 1)
        guard case .ignored = outcome else {
            Issue.record("not ignored: \(outcome)")
            return
        }
        #expect(try store.database.caseCount() == 0)
        #expect(try store.database.checkpoint(source: "service", mailbox: "INBOX")?.lastUID == 3, "the message is not fetched again")
    }
}
