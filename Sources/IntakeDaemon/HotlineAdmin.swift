import Crypto
import Foundation
import IntakeChannels
import IntakeCore
import IntakePipeline
import IntakeStore
import Logging

/// `intake ingest` and `intake quarantine`: the hotline channel's work done from the command
/// line, beside the running daemon (the store takes a second writer; the daemon's forwarder
/// finds the new events at its next poll).
public struct HotlineAdmin {
    let configuration: LoadedConfiguration
    let database: IntakeDatabase
    let blobs: BlobStore
    let timestamps: Timestamp

    public init(configuration: LoadedConfiguration) throws {
        self.configuration = configuration
        database = try configuration.openDatabase()
        blobs = try BlobStore(root: URL(fileURLWithPath: configuration.settings.store.blobDir))
        timestamps = Timestamp(timeZone: configuration.timeZone)
    }

    /// On a store already open (the daemon's, for the console); `close()` is then the owner's.
    init(configuration: LoadedConfiguration, database: IntakeDatabase, blobs: BlobStore) {
        self.configuration = configuration
        self.database = database
        self.blobs = blobs
        timestamps = Timestamp(timeZone: configuration.timeZone)
    }

    public func close() { database.close() }

    func ingestor(for name: String) throws -> HotlineIngestor {
        let source = try configuration.hotlineSource(name)
        return HotlineIngestor(
            settings: source.settings, mapping: source.mapping,
            normalizer: configuration.normalizer,
            database: database, blobs: blobs, logger: Logger(label: "intake.ingest") { _ in SwiftLogNoOpLogHandler() })
    }

    /// Takes `file` in place for the hotline source `channel`; rejected rows are reported in
    /// `FILE.errors.csv` beside it, every row's outcome in `FILE.result.csv`.
    public func ingest(channel: String, file: String, progress: (@Sendable (Int, Int) -> Void)?) async throws -> HotlineIngestor.Summary {
        let ingestor = try ingestor(for: channel)
        let url = URL(fileURLWithPath: file)
        let report = SpoolDirectory.unused(URL(fileURLWithPath: file + ".errors.csv"))
        let result = SpoolDirectory.unused(URL(fileURLWithPath: file + ".result.csv"))
        return try await ingestor.ingest(file: url, name: url.lastPathComponent, report: report, result: result, progress: progress)
    }

    public static func describe(_ summary: HotlineIngestor.Summary) -> String {
        if let reason = summary.quarantinedReason { return "quarantined the whole file: \(reason)" }
        var lines = [
            "rows read     \(summary.rows)  (\(summary.encoding), \(summary.delimiter)-separated)",
            "cases         \(summary.created) created, \(summary.duplicates) duplicates, \(summary.updated) updated",
            "repeats       \(summary.repeats) already taken",
            "rejected      \(summary.rejected)" + (summary.report.map { "  (see \($0.path))" } ?? ""),
            "results       " + (summary.result.map(\.path) ?? "none"),
        ]
        if summary.summaryLines > 0 { lines.append("summary line  left out") }
        if summary.replacedSequences > 0 { lines.append("undecodable   \(summary.replacedSequences) byte sequence(s) replaced with U+FFFD") }
        if let line = summary.unreadableFrom { lines.append("unreadable    from line \(line) on: the rest of the file was not read") }
        return lines.joined(separator: "\n")
    }

    // MARK: - Quarantine

    public func list(all: Bool, json: Bool) throws -> String {
        let entries = try database.quarantined(includeResolved: all)
        if json { return JSONValue.array(entries.map(self.json)).serialized() }
        if entries.isEmpty { return all ? "nothing was ever quarantined" : "nothing in quarantine" }
        return TextTable.render(
            header: ["ID", "SINCE", "SOURCE", "FILE", "LINE", "REASON"],
            rows: entries.map { entry in
                [
                    String(entry.id ?? 0), entry.createdAt.map(timestamps.format) ?? "-", "\(entry.channel.rawValue)/\(entry.source)",
                    entry.fileName, entry.kind == .file ? "whole file" : String(entry.line),
                    String(entry.reason.prefix(120)) + (entry.resolvedAt == nil ? "" : "  [resolved: \(entry.resolution ?? "")]"),
                ]
            })
    }

    public func show(_ id: Int64, json: Bool) throws -> String? {
        guard let entry = try database.quarantineEntry(id) else { return nil }
        if json { return self.json(entry).serialized() }
        var lines = [
            "quarantine \(id): \(entry.kind == .file ? "whole file" : "row at line \(entry.line)") of \(entry.fileName) (\(entry.channel.rawValue)/\(entry.source))",
            "since      \(entry.createdAt.map(timestamps.format) ?? "-")",
            "file       sha256 \(entry.rawSHA256)",
            "reason     \(entry.reason)",
        ]
        if let resolvedAt = entry.resolvedAt {
            lines.append("resolved   \(timestamps.format(resolvedAt)) by \(entry.resolvedBy ?? "-"): \(entry.resolution ?? "")")
        }
        if let header = entry.header, let fields = entry.fields {
            lines.append("")
            lines.append(TextTable.render(
                header: ["COLUMN", "HEADER", "VALUE"],
                rows: (0..<max(header.count, fields.count)).map { index in
                    [String(index + 1), index < header.count ? header[index] : "", index < fields.count ? fields[index] : ""]
                }))
        }
        return lines.joined(separator: "\n")
    }

    /// What reprocessing one entry did.
    public struct Outcome: Sendable {
        public var id: Int64
        public var message: String
        public var resolved: Bool
    }

    /// Maps quarantined rows again with the current mapping, or takes a quarantined file again
    /// from the blob store; what passes now leaves the quarantine.
    public func reprocess(ids: [Int64], all: Bool, actor: String) async throws -> [Outcome] {
        var entries = try all ? database.quarantined() : []
        var outcomes: [Outcome] = []
        for id in ids {
            if let entry = try database.quarantineEntry(id) {
                entries.append(entry)
            } else {
                outcomes.append(Outcome(id: id, message: "no such quarantine entry", resolved: false))
            }
        }
        var seen: Set<Int64> = []
        for entry in entries {
            guard let id = entry.id, seen.insert(id).inserted else { continue }
            if entry.resolvedAt != nil {
                outcomes.append(Outcome(id: id, message: "already resolved: \(entry.resolution ?? "")", resolved: true))
                continue
            }
            guard entry.channel == .hotline else {
                outcomes.append(Outcome(id: id, message: "\(entry.channel.rawValue) input is not reprocessed here", resolved: false))
                continue
            }
            let ingestor = try ingestor(for: entry.source)
            switch entry.kind {
            case .row:
                let (_, result) = try await ingestor.reprocess([entry], by: actor)[0]
                switch result {
                case .success(let caseID): outcomes.append(Outcome(id: id, message: "case \(caseID)", resolved: true))
                case .failure(let failure): outcomes.append(Outcome(id: id, message: "still refused: \(failure.reason)", resolved: false))
                }
            case .file:
                outcomes.append(try await reprocessFile(entry, id: id, actor: actor))
            }
        }
        return outcomes
    }

    /// Hands a quarantined file back to its spool directory (its bytes are in the blob store),
    /// where the daemon takes it like any dropped file: archived if its header binds now,
    /// quarantined again (and this entry open again) if not.
    private func reprocessFile(_ entry: QuarantineEntry, id: Int64, actor: String) async throws -> Outcome {
        let source = try configuration.hotlineSource(entry.source)
        let spool = try SpoolDirectory(settings: source.spool)
        let placed = try spool.handBack(blobs.url(for: entry.rawSHA256), as: entry.fileName)
        // The copy left in quarantine/ goes, if it is this very file.
        let quarantined = source.spool.quarantine.appendingPathComponent(entry.fileName)
        if let bytes = FileManager.default.contents(atPath: quarantined.path), SHA256.hash(data: bytes).hexString == entry.rawSHA256 {
            try? FileManager.default.removeItem(at: quarantined)
            try? FileManager.default.removeItem(at: URL(fileURLWithPath: quarantined.path + ".reason.txt"))
        }
        let resolution = "handed back to the spool as \(placed.lastPathComponent)"
        try await database.intake { transaction in
            try transaction.resolveQuarantine(id, by: actor, resolution: resolution)
        }
        return Outcome(id: id, message: resolution + "; the daemon takes it again", resolved: true)
    }

    private func json(_ entry: QuarantineEntry) -> JSONValue {
        .object([
            "id": .number(Double(entry.id ?? 0)), "channel": .string(entry.channel.rawValue), "source": .string(entry.source),
            "kind": .string(entry.kind.rawValue), "file": .string(entry.fileName), "raw_sha256": .string(entry.rawSHA256),
            "line": .number(Double(entry.line)), "reason": .string(entry.reason),
            "header": entry.header.map { .array($0.map(JSONValue.string)) } ?? .null,
            "fields": entry.fields.map { .array($0.map(JSONValue.string)) } ?? .null,
            "created_at": entry.createdAt.map { .string(timestamps.format($0)) } ?? .null,
            "resolved_at": entry.resolvedAt.map { .string(timestamps.format($0)) } ?? .null,
            "resolved_by": entry.resolvedBy.map(JSONValue.string) ?? .null,
            "resolution": entry.resolution.map(JSONValue.string) ?? .null,
        ])
    }
}
