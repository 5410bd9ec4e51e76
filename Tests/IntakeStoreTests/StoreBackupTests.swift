import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore
import Testing

/// `StoreBackup` on a temporary store: where a copy may go, and what verification finds.
/// (A backup beside a running daemon: `BackupTests` in the daemon tests.)
@Suite struct StoreBackupTests {
    struct Store {
        let directory: URL
        let database: IntakeDatabase
        let blobs: BlobStore

        init() throws {
            (database, directory) = try makeDatabase()
            blobs = try BlobStore(root: directory.appendingPathComponent("blobs"))
        }
    }

    /// A case with one attachment; returns the attachment's SHA-256.
    static func admit(_ store: Store, ref: String, attachment: Data) async throws -> String {
        var value = sampleCase(ref: ref, raw: String(repeating: ref, count: 64))
        let sha = try store.blobs.put(attachment)
        value.attachments = [Attachment(sha256: sha, name: "照片.jpg", mediaType: "image/jpeg", size: attachment.count)]
        let item = AdmissionItem(value, probe: DedupProbe(intakeCase: value, at: Date(), policy: DedupPolicy()), receivedAt: Date())
        let raw = value.rawSHA256
        try await store.database.intake { transaction in
            try transaction.storeRaw(sha256: raw, channel: .webhook, source: "portal", mediaType: "application/json", body: Data(ref.utf8))
            _ = try transaction.admit(item)
        }
        return sha
    }

    @Test func aBackupGoesOnlyIntoANewOrEmptyDirectoryAndAnUnfinishedOneIsNotWhole() async throws {
        let store = try Store()
        let occupied = store.directory.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: occupied.appendingPathComponent("note.txt"))
        #expect(throws: StoreBackup.Failure.self) { try StoreBackup.backup(store.database, blobs: store.blobs, to: occupied) }

        let interrupted = store.directory.appendingPathComponent("interrupted")
        try FileManager.default.createDirectory(at: interrupted, withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: interrupted.appendingPathComponent(StoreBackup.databaseName + ".partial"))
        let failure = try #require(throws: StoreBackup.Failure.self) { try StoreBackup.verify(interrupted) }
        #expect(failure.description.contains("unfinished"))
    }

    @Test func verificationFindsAMissingOrDamagedBlob() async throws {
        let store = try Store()
        let one = try await Self.admit(store, ref: "a", attachment: Data("第一张照片".utf8))
        let two = try await Self.admit(store, ref: "b", attachment: Data("第二张照片".utf8))
        let destination = store.directory.appendingPathComponent("copy")
        let summary = try StoreBackup.backup(store.database, blobs: store.blobs, to: destination)
        #expect(summary.problems.isEmpty && summary.blobs == 2 && summary.cases == 2)

        let copied = BlobStore(existingRoot: destination.appendingPathComponent(StoreBackup.blobDirectoryName))
        try FileManager.default.removeItem(at: copied.url(for: one))
        try Data("not the photo".utf8).write(to: copied.url(for: two))
        let problems = try StoreBackup.verify(destination).problems
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.contains(one) && $0.contains("missing") })
        #expect(problems.contains { $0.contains(two) && $0.contains("hash") })
    }
}
