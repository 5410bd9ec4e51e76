import Foundation
import IntakeCore
import IntakeStore

/// A fresh store in its own temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("intake-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func makeDatabase() throws -> (IntakeDatabase, URL) {
    let directory = try temporaryDirectory()
    return (try IntakeDatabase(path: directory.appendingPathComponent("intake.sqlite").path), directory)
}

func sampleCase(id: String = UUIDv7.generate(), ref: String, raw: String = String(repeating: "a", count: 64)) -> IntakeCase {
    IntakeCase(
        id: id, channel: .webhook, source: "portal", ref: ref, receivedAt: "2026-02-26T09:13:05+08:00", rawSHA256: raw,
        requester: Requester(phone: "+8613812345678"), description: "厂房用地规划许可进度咨询")
}

/// Stores a raw input and a case for it in one intake transaction.
func insert(_ intakeCase: IntakeCase, into database: IntakeDatabase) async throws {
    try await database.intake { transaction in
        try transaction.storeRaw(sha256: intakeCase.rawSHA256, channel: .webhook, source: "portal", mediaType: "application/json", body: Data("{}".utf8))
        _ = try transaction.admit(AdmissionItem(intakeCase))
    }
}
