import Foundation
import GRDB
import IntakeCore
import IntakePipeline
import Synchronization
import Testing

@testable import IntakeStore

/// The store's time in a test: set by hand, so that a store can be filled across days.
final class SimulatedClock: Sendable {
    private let time: Mutex<Date>
    init(_ start: Date) { time = Mutex(start) }
    var now: Date { time.withLock { $0 } }
    func advance(days: Double) { time.withLock { $0 = $0.addingTimeInterval(days * 86400) } }
}

/// The retention sweeper on a store filled across simulated days: what is past its horizon
/// goes, and nothing that idempotency, outbox order or an open quarantine entry needs.
@Suite struct RetentionTests {
    let directory: URL
    let clock = SimulatedClock(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00:00Z
    let database: IntakeDatabase
    let blobs: BlobStore
    let settings: RetentionSettings = {
        var settings = RetentionSettings()
        settings.rawInputsDays = 10
        settings.deliveredEventsDays = 5
        settings.traceDays = 20
        settings.resolvedQuarantineDays = 3
        return settings
    }()

    init() throws {
        directory = try temporaryDirectory()
        let clock = self.clock
        database = try IntakeDatabase(
            path: directory.appendingPathComponent("intake.sqlite").path, dedupRetentionSecs: 15 * 86400, clock: { clock.now })
        blobs = try BlobStore(root: directory.appendingPathComponent("blobs"))
    }

    /// A webhook case with its own raw body, indexed for dedup, optionally with an attachment.
    @discardableResult
    func admit(_ ref: String, attachment: Data? = nil) async throws -> IntakeCase {
        let body = Data("{\"ref\":\"\(ref)\",\"pad\":\"\(String(repeating: "x", count: 1000))\"}".utf8)
        let raw = try blobs.put(body)  // (only its hash; the body is stored in the row below)
        try FileManager.default.removeItem(at: blobs.url(for: raw))
        var value = sampleCase(id: UUIDv7.generate(at: clock.now), ref: ref, raw: raw)
        value.description = "厂房用地规划许可进度咨询 \(ref)"
        if let attachment {
            value.attachments = [Attachment(sha256: try blobs.put(attachment), name: "照片.jpg", mediaType: "image/jpeg", size: attachment.count)]
        }
        let item = AdmissionItem(value, probe: DedupProbe(intakeCase: value, at: clock.now, policy: DedupPolicy()), receivedAt: clock.now)
        try await database.intake { transaction in
            try transaction.storeRaw(sha256: raw, channel: .webhook, source: "portal", mediaType: "application/json", body: body)
            _ = try transaction.admit(item)
        }
        return value
    }

    /// A hotline file kept in the blob store with one quarantined row.
    func quarantinedFile(_ name: String) async throws -> (sha256: String, id: Int64) {
        let sha = try blobs.put(Data("工单编号,诉求内容\n\(name),\n".utf8))
        try await database.intake { transaction in
            try transaction.storeRawReference(sha256: sha, channel: .hotline, source: "hotline", mediaType: "text/csv", size: 40)
            try transaction.quarantine(QuarantineEntry(
                channel: .hotline, source: "hotline", kind: .row, fileName: name, rawSHA256: sha, line: 2, reason: "empty description"))
        }
        let id = try #require(try database.quarantined(includeResolved: true).first { $0.rawSHA256 == sha }?.id)
        return (sha, id)
    }

    func value<T: DatabaseValueConvertible>(_ sql: String, _ arguments: StatementArguments = []) throws -> T? {
        try database.pool.read { db in try T.fetchOne(db, sql: sql, arguments: arguments) }
    }

    @Test func aSweepRemovesOnlyWhatIsPastItsHorizon() async throws {
        defer {
            database.close()
            try? FileManager.default.removeItem(at: directory)
        }
        // Day 0: a delivered case with an attachment, a pending one, a dead one, a hotline
        // file with an open quarantine entry and one whose entry is resolved on day 1.
        let delivered = try await admit("delivered", attachment: Data("照片字节".utf8))
        let pending = try await admit("pending")
        let dead = try await admit("dead")
        let due = try await database.dueEvents(now: clock.now, limit: 10)
        try await database.record(
            [(due[0], .delivered(detail: "ok")), (due[2], .deadLetter(reason: "HTTP 400"))], sink: "test", now: clock.now)
        let open = try await quarantinedFile("open.csv")
        let resolved = try await quarantinedFile("resolved.csv")
        try await database.intake { transaction in
            try transaction.storeAnswer(channel: .webhook, source: "portal", key: "old-key", requestSHA256: "x", status: 202, body: Data("{}".utf8))
        }
        clock.advance(days: 1)
        try await database.intake { try $0.resolveQuarantine(resolved.id, by: "tester", resolution: "set aside") }
        // A blob no row names (its commit failed), two hours old by the wall clock.
        let orphan = try blobs.put(Data("orphan".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: blobs.url(for: orphan).path)
        // Day 40: everything above is past every horizon; one new case is not.
        clock.advance(days: 39)
        let fresh = try await admit("fresh", attachment: Data("新照片".utf8))
        try await database.intake { transaction in
            try transaction.storeAnswer(channel: .webhook, source: "portal", key: "new-key", requestSHA256: "y", status: 202, body: Data("{}".utf8))
        }
        // Blob files are judged by their real age (a rehearsal must not remove a blob written
        // a second ago): the files of day 0 are made as old as they would be.
        for file in blobs.files() where file.sha256 != fresh.attachments[0].sha256 {
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-40 * 86400)], ofItemAtPath: file.url.path)
        }

        let rehearsal = try await database.sweep(settings, blobs: blobs, dryRun: true)
        let sweep = try await database.sweep(settings, blobs: blobs)
        #expect(rehearsal.removed == sweep.removed, "a dry run counts what the sweep then removes")
        #expect(sweep[.rawInputs].count == 4, "three webhook bodies and the resolved file")
        #expect(sweep[.deliveredEvents].count == 1)
        #expect(sweep[.idempotencyKeys].count == 1, "the old answer goes, the new one stays")
        #expect(try value("SELECT key FROM idempotency_key") == "new-key")
        #expect(sweep[.resolvedQuarantine].count == 1)
        #expect(sweep[.dedupIndex].count == 3)
        #expect(sweep[.blobs].count == 3, "the old attachment, the resolved file, the orphan")

        // Raw bytes: retired, the row and its hash kept; the open entry's file and the fresh body kept.
        #expect(try value("SELECT length(body) FROM raw_input WHERE sha256 = ?", [delivered.rawSHA256]) == 0)
        #expect(try value("SELECT retired_at IS NOT NULL FROM raw_input WHERE sha256 = ?", [delivered.rawSHA256]) == true)
        #expect(try value("SELECT retired_at IS NULL FROM raw_input WHERE sha256 = ?", [open.sha256]) == true)
        #expect(FileManager.default.fileExists(atPath: blobs.url(for: open.sha256).path))
        #expect(!FileManager.default.fileExists(atPath: blobs.url(for: resolved.sha256).path))
        #expect(!FileManager.default.fileExists(atPath: blobs.url(for: orphan).path))
        #expect(!FileManager.default.fileExists(atPath: blobs.url(for: delivered.attachments[0].sha256).path))
        #expect(FileManager.default.fileExists(atPath: blobs.url(for: fresh.attachments[0].sha256).path))
        #expect(try (value("SELECT length(body) FROM raw_input WHERE sha256 = ?", [fresh.rawSHA256]) as Int?) ?? 0 > 1000)
        // Quarantine: the open entry stays, the resolved one is gone.
        #expect(try database.quarantined(includeResolved: true).map(\.id) == [open.id])
        // Outbox: the delivered row is gone; pending and dead stay; the fresh case's event too.
        #expect(try value("SELECT count(*) FROM outbox WHERE case_id = ?", [delivered.id]) == 0)
        #expect(try value("SELECT state FROM outbox WHERE case_id = ?", [pending.id]) == "pending")
        #expect(try value("SELECT state FROM outbox WHERE case_id = ?", [dead.id]) == "dead")
        // Trace: gone for the delivered case, kept for the cases whose events are owed.
        // What stays of the delivered case's timeline is the note that its raw bytes went.
        #expect(try database.traceEntries(for: delivered.id).map(\.step) == ["raw_retired"])
        let pendingSteps = try database.traceEntries(for: pending.id).map(\.step)
        #expect(pendingSteps.first == "received" && pendingSteps.last == "raw_retired", "\(pendingSteps)")
        #expect(try database.traceEntries(for: fresh.id).map(\.step).contains("raw_retired") == false)
        #expect(!(try database.traceEntries(for: dead.id)).isEmpty)
        #expect(!(try database.traceEntries(for: fresh.id)).isEmpty)
        // Dedup rows: behind the window gone, the fresh one kept.
        #expect(try value("SELECT count(*) FROM dedup_case") == 1)
        #expect(try value("SELECT case_id FROM dedup_case") == fresh.id)

        // Idempotency holds: the old ref again is a repeat (the ledger keeps it), no new case.
        let again = AdmissionItem(delivered, receivedAt: clock.now)
        let outcome = try await database.intake { try $0.admit(again) }
        #expect(outcome.status == "repeat")
        #expect(try database.caseCount() == 4)
        // Outbox order holds: a later event of the pending case waits behind its first.
        try await database.intake { try $0.enqueue(.updated, of: pending) }
        let next = try await database.dueEvents(now: clock.now, limit: 10)
        #expect(next.filter { $0.caseID == pending.id }.map(\.event) == ["case.created"])

        // Space given back: a new store vacuums incrementally and has no free pages left.
        #expect(sweep.incrementalVacuum)
        #expect(try value("PRAGMA freelist_count") == 0)
        // A second sweep finds nothing more.
        let second = try await database.sweep(settings, blobs: blobs)
        #expect(second.removed.values.allSatisfy { $0.count == 0 })
    }

    @Test func anAsOfTimeRehearsesAPolicyWithoutChangingTheStore() async throws {
        defer {
            database.close()
            try? FileManager.default.removeItem(at: directory)
        }
        let value = try await admit("today")
        let now = try await database.sweep(settings, blobs: blobs, dryRun: true)
        #expect(now.removed.values.allSatisfy { $0.count == 0 })
        let nextYear = try await database.sweep(settings, blobs: blobs, asOf: clock.now.addingTimeInterval(365 * 86400), dryRun: true)
        #expect(nextYear[.rawInputs].count == 1)
        #expect(nextYear[.trace].count == 0, "the case's event is still pending: its trace stays")
        #expect(try self.value("SELECT length(body) FROM raw_input WHERE sha256 = ?", [value.rawSHA256]) ?? 0 > 1000, "a dry run changes nothing")
    }
}
