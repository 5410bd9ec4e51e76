import Foundation
import IntakeCore
import IntakeStore

/// `intake retention run`: one sweep from the command line, beside a running daemon (the
/// store takes a second writer; each batch waits for the daemon's group commit at most).
public struct RetentionRun {
    let database: IntakeDatabase
    let blobs: BlobStore
    let settings: RetentionSettings
    let timestamps: Timestamp

    public init(configuration: LoadedConfiguration) throws {
        database = try configuration.openDatabase()
        blobs = try BlobStore(root: URL(fileURLWithPath: configuration.settings.store.blobDir))
        settings = configuration.settings.retention
        timestamps = Timestamp(timeZone: configuration.timeZone)
    }

    public func close() { database.close() }

    /// Sweeps (or, with `dryRun`, counts) as of `asOf` and returns the report as text or JSON.
    public func run(asOf: Date?, dryRun: Bool, json: Bool) async throws -> String {
        let report = try await database.sweep(settings, blobs: blobs, asOf: asOf, dryRun: dryRun)
        return json ? Self.json(report, timestamps).serialized() : Self.text(report, timestamps)
    }

    static func text(_ report: RetentionReport, _ timestamps: Timestamp) -> String {
        let verb = report.dryRun ? "would remove" : "removed"
        var lines = ["retention as of \(timestamps.format(report.asOf))\(report.dryRun ? " (dry run: nothing changed)" : ""):"]
        lines.append(TextTable.render(
            header: ["KIND", verb.uppercased(), "BYTES"],
            rows: RetentionReport.Kind.allCases.map { kind in [kind.rawValue, String(report[kind].count), byteCount(report[kind].bytes)] }))
        if !report.incrementalVacuum {
            lines.append("this store was created without incremental vacuum: freed pages are reused but the file does not shrink; see the README (Retention)")
        } else if !report.dryRun {
            lines.append("given back to the filesystem: \(byteCount(report.vacuumedBytes))")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: RetentionReport, _ timestamps: Timestamp) -> JSONValue {
        var kinds: [String: JSONValue] = [:]
        for kind in RetentionReport.Kind.allCases {
            kinds[kind.rawValue] = .object(["count": .number(Double(report[kind].count)), "bytes": .number(Double(report[kind].bytes))])
        }
        return .object([
            "as_of": .string(timestamps.format(report.asOf)), "dry_run": .bool(report.dryRun), "removed": .object(kinds),
            "vacuumed_bytes": .number(Double(report.vacuumedBytes)), "incremental_vacuum": .bool(report.incrementalVacuum),
        ])
    }

    /// `812 B`, `61.2 KiB`, `3.4 GiB`: binary units, one decimal.
    static func byteCount(_ bytes: Int) -> String {
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes)
        for unit in ["KiB", "MiB", "GiB", "TiB"] {
            value /= 1024
            if value < 1024 || unit == "TiB" { return String(format: "%.1f", value) + " " + unit }
        }
        return "\(bytes) B"
    }
}
