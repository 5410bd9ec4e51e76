import Foundation
import IntakeCore
import IntakeStore
import Testing

@Suite struct TraceLookupTests {
    /// `intake trace "<id@host>"`: the Message-ID as the header writes it finds what was taken under it.
    @Test func aMessageIDIsFoundWithOrWithoutItsAngleBrackets() async throws {
        let (database, directory) = try makeDatabase()
        defer { database.close(); try? FileManager.default.removeItem(at: directory) }
        let raw = String(repeating: "b", count: 64)
        try await database.intake { transaction in
            try transaction.storeRaw(sha256: raw, channel: .email, source: "service-mailbox", mediaType: "message/rfc822", body: Data("x".utf8))
            try transaction.recordIgnored(channel: .email, source: "service-mailbox", ref: "auto-1@example.cn", rawSHA256: raw, reason: "Auto-Submitted")
        }
        try await insert(sampleCase(ref: "case-1@example.cn"), into: database)
        #expect(try database.traceEntries(for: "<auto-1@example.cn>").map(\.step) == ["ignored"])
        #expect(try database.traceEntries(for: "auto-1@example.cn").map(\.step) == ["ignored"])
        let byID = try database.traceEntries(for: "case-1@example.cn")
        #expect(!byID.isEmpty)
        #expect(try database.traceEntries(for: "<case-1@example.cn>") == byID)
        #expect(try database.traceEntries(for: "<nobody@example.cn>").isEmpty)
    }
}
