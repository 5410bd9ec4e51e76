import Foundation
import IntakeCore
import IntakeStore

/// `intake backup`: a consistent copy of the configured store beside a running daemon, or a
/// check of an existing copy, reported as text or JSON.
public enum BackupRun {
    /// Copies the store of `configuration` into `destination`.
    public static func backup(configuration: LoadedConfiguration, to destination: URL) throws -> StoreBackup.Summary {
        let database = try configuration.openDatabase()
        defer { database.close() }
        let blobs = try BlobStore(root: URL(fileURLWithPath: configuration.settings.store.blobDir))
        return try StoreBackup.backup(database, blobs: blobs, to: destination)
    }

    public static func text(_ summary: StoreBackup.Summary, directory: URL, verb: String) -> String {
        var lines = [
            "\(verb) \(directory.path):",
            "  cases \(summary.cases) · ledger entries \(summary.ledgerEntries) · events pending \(summary.pendingEvents), "
                + "delivered \(summary.deliveredEvents), dead \(summary.deadEvents) · open quarantine \(summary.openQuarantine)",
            "  database \(RetentionRun.byteCount(summary.databaseBytes)) · blobs \(summary.blobs) (\(RetentionRun.byteCount(summary.blobBytes)))"
                + " · schema \(summary.schema)",
        ]
        if summary.problems.isEmpty {
            lines.append("  whole: integrity check ok, every blob it names present")
        } else {
            lines.append("  NOT WHOLE: \(summary.problems.count) problem(s)")
            lines += summary.problems.prefix(50).map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    public static func json(_ summary: StoreBackup.Summary, directory: URL) -> String {
        JSONValue.object([
            "directory": .string(directory.path), "whole": .bool(summary.problems.isEmpty),
            "cases": .number(Double(summary.cases)), "ledger_entries": .number(Double(summary.ledgerEntries)),
            "events": .object([
                "pending": .number(Double(summary.pendingEvents)), "delivered": .number(Double(summary.deliveredEvents)),
                "dead": .number(Double(summary.deadEvents)),
            ]),
            "open_quarantine": .number(Double(summary.openQuarantine)), "blobs": .number(Double(summary.blobs)),
            "blob_bytes": .number(Double(summary.blobBytes)), "database_bytes": .number(Double(summary.databaseBytes)),
            "schema": .string(summary.schema), "problems": .array(summary.problems.map(JSONValue.string)),
        ]).serialized()
    }
}
