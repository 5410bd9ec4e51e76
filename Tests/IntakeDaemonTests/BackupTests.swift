import Foundation
import GRDB
import IntakeDaemon
import IntakeStore
import IntakeTestSupport
import Testing

/// `intake backup` beside a daemon taking a burst of webhook requests, and a daemon started
/// on the restored copy.
@Suite struct BackupTests {
    /// Acknowledgements as they arrive, with when.
    actor Acknowledged {
        var refs: [(ref: String, body: String, at: Date)] = []
        func add(_ ref: String, _ body: String) { refs.append((ref, body, Date())) }
        var count: Int { refs.count }
        func before(_ date: Date) -> [(ref: String, body: String)] { refs.filter { $0.at < date }.map { ($0.ref, $0.body) } }
    }

    static func request(_ index: Int) -> String {
        // Distinct enterprises and texts, every fifth with its own attachment (a blob).
        let photo = Data("照片-\(index)-\(UUID().uuidString)".utf8).base64EncodedString()
        let attachment = index % 5 == 0
            ? #", "attachments": [{"name": "现场照片\#(index).jpg", "media_type": "image/jpeg", "content_base64": "\#(photo)"}]"#
            : ""
        return sampleRequest(ref: "burst-\(index)", description: "第\(index)号企业反映：厂房\(index % 17)号楼用地手续办理进度缓慢，请协调。", extra: attachment)
    }

    @Test func aBackupDuringABurstHoldsEveryAcknowledgedCaseAndRestoresToADaemonThatRepeatsAndRedeliversNothing() async throws {
        let environment = try TestEnvironment()
        let destination = environment.directory.appendingPathComponent("backup-\(UUID().uuidString)")
        let acknowledged = Acknowledged()
        let daemon = try await TestDaemon.start(environment)
        let (backupBegan, summary) = try await stopping(daemon) { () async throws -> (Date, StoreBackup.Summary) in
            let total = 360
            let burst = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for lane in 0..<6 {
                        group.addTask {
                            for index in stride(from: lane, to: total, by: 6) {
                                let body = Self.request(index)
                                let answer = try await daemon.postSigned(body, key: "burst-key-\(index)")
                                if answer.status == 202 || answer.status == 200 { await acknowledged.add("burst-\(index)", body) }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            while await acknowledged.count < 100 { try await Task.sleep(for: .milliseconds(5)) }
            let began = Date()
            let loaded = try ConfigurationLoader.load(path: environment.configPath)
            // The CLI's path: a second connection to the live store, on a thread of its own
            // (the backup blocks while it copies).
            let summary = try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(with: Result { try BackupRun.backup(configuration: loaded, to: destination) })
                }
            }
            try await burst.value
            #expect(await acknowledged.count == total)
            return (began, summary)
        }
        let before = await acknowledged.before(backupBegan)
        #expect(before.count >= 100)
        #expect(summary.problems.isEmpty, "\(summary.problems)")
        #expect(summary.cases >= before.count)
        #expect(summary.blobs > 0, "attachments are copied with the database")

        // The copy is whole: SQLite's integrity check, every blob present and hashing to its name.
        let verified = try StoreBackup.verify(destination)
        #expect(verified.problems.isEmpty, "\(verified.problems)")
        #expect(verified.cases == summary.cases && verified.blobs == summary.blobs)
        let copy = try DatabaseQueue(path: destination.appendingPathComponent(StoreBackup.databaseName).path)
        let (caseIDs, delivered, pending) = try await copy.read { db in
            (
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT ref, case_id FROM intake_ledger").map { ($0[0] as String, $0[1] as String) }),
                Set(try String.fetchAll(db, sql: "SELECT idempotency_key FROM outbox WHERE state = 'delivered'")),
                Set(try String.fetchAll(db, sql: "SELECT idempotency_key FROM outbox WHERE state = 'pending'"))
            )
        }
        try copy.close()
        let missing = before.map(\.ref).filter { caseIDs[$0] == nil }
        #expect(missing.isEmpty, "acknowledged before the backup began, not in it: \(missing)")

        // Restore: the copy's files where a store's go, and a daemon on them.
        let restored = try TestEnvironment(directory: environment.directory.appendingPathComponent("restored"))
        try FileManager.default.copyItem(
            at: destination.appendingPathComponent(StoreBackup.databaseName), to: URL(fileURLWithPath: restored.storePath))
        try FileManager.default.copyItem(
            at: destination.appendingPathComponent(StoreBackup.blobDirectoryName), to: restored.directory.appendingPathComponent("blobs"))
        let second = try await TestDaemon.start(restored)
        try await stopping(second) {
            for (offset, (ref, body)) in before.enumerated() {
                // Under its old key the request gets its first answer again; under a new key
                // its ref makes it a repeat. Either way: the case the copy holds, no new one.
                let sameKey = offset % 2 == 0
                let key = sameKey ? "burst-key-\(ref.dropFirst("burst-".count))" : "retry-\(ref)"
                let answer = try await second.postSigned(body, key: key)
                let answered = try #require((try answer.json()["cases"] as? [[String: Any]])?.first, "\(ref): \(answer.status) \(answer.text)")
                #expect(answered["id"] as? String == caseIDs[ref], "\(ref)")
                if !sameKey { #expect(answered["status"] as? String == "repeat", "\(ref): \(answer.text)") }
            }
            #expect(try second.database.caseCount() == summary.cases, "the old refs made no new case")
            // What the copy held as pending is delivered again; nothing it held as delivered is.
            let deadline = Date().addingTimeInterval(20)
            while try second.database.outboxCounts().pending > 0, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try second.database.outboxCounts().pending == 0)
            let files = try restored.eventFiles()
            let keys = Set(files.map { String($0.dropLast(".json".count)) })
            #expect(keys == pending, "delivered after the restore: exactly what the copy held as pending")
            #expect(keys.isDisjoint(with: delivered))
        }
        try? FileManager.default.removeItem(at: environment.directory)
    }
}
