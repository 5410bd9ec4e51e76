import Crypto
import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore
import Logging
import Metrics

/// Takes one hotline export: every good row becomes a case (or is recognised as a repeat, or
/// updates its case when its content changed), every bad row goes to the operator's report
/// and to the quarantine, and the file itself is kept in the blob store.
///
/// Taking the same file again is harmless: rows already taken are repeats, quarantined rows
/// are not added twice. That is what makes a crash in the middle safe: the file is simply
/// taken again from the start.
public struct HotlineIngestor: Sendable {
    public struct Settings: Sendable {
        public var source: String
        /// Comma, tab or semicolon; nil to sniff.
        public var delimiter: UInt8?
        /// Rows per group commit.
        public var batchRows: Int
        public var maxRecordBytes: Int
        /// What a row may carry beyond its mapped fields.
        public var rowLimits: HotlineColumns.RowLimits

        public init(
            source: String, delimiter: UInt8? = nil, batchRows: Int = 2000, maxRecordBytes: Int = 1 << 20,
            rowLimits: HotlineColumns.RowLimits = .init()
        ) {
            self.source = source
            self.delimiter = delimiter
            self.batchRows = batchRows
            self.maxRecordBytes = maxRecordBytes
            self.rowLimits = rowLimits
        }
    }

    /// What became of a file.
    public struct Summary: Sendable, Hashable {
        /// The summary as the spool service needs it.
        public var spoolOutcome: SpoolOutcome {
            SpoolOutcome(rawSHA256: rawSHA256, quarantinedReason: quarantinedReason, report: report, changed: created + duplicates + updated > 0)
        }

        public var rawSHA256 = ""
        public var encoding = ""
        public var delimiter = ""
        /// Data rows read (not the header, blank lines or a trailing summary line).
        public var rows = 0
        /// New cases (`case.created`).
        public var created = 0
        /// New cases linked to an earlier one by deduplication (`case.duplicate`).
        public var duplicates = 0
        public var updated = 0
        public var repeats = 0
        public var rejected = 0
        /// A trailing summary line ("合计 50 条") left out.
        public var summaryLines = 0
        /// Undecodable bytes replaced with U+FFFD.
        public var replacedSequences = 0
        /// The line from which the file could not be read, if it could not be read to the end.
        public var unreadableFrom: Int?
        /// Set when the file had no usable header and was quarantined whole.
        public var quarantinedReason: String?
        /// The reject report, when rows were rejected.
        public var report: URL?
    }

    /// Asked between batches; true stops the file there (it is taken again from the start).
    public typealias StopCheck = @Sendable () -> Bool

    public let settings: Settings
    let mapping: HotlineMapping
    let normalizer: CaseNormalizer
    let database: IntakeDatabase
    let blobs: BlobStore
    let logger: Logger
    private let events: ChannelEvents

    public init(settings: Settings, mapping: HotlineMapping, normalizer: CaseNormalizer, database: IntakeDatabase, blobs: BlobStore, logger: Logger) {
        self.settings = settings
        self.mapping = mapping
        self.normalizer = normalizer
        self.database = database
        self.blobs = blobs
        self.logger = logger
        self.events = ChannelEvents(channel: .hotline, source: settings.source, logger: logger)
    }

    /// Takes `file`, known to operators as `name`; rejected rows are reported in `report`
    /// (written only when there are any).
    /// - Parameter progress: told the bytes read and the file's size after each batch.
    public func ingest(
        file: URL, name: String, report: URL, progress: (@Sendable (Int, Int) -> Void)? = nil, shouldStop: StopCheck = { false }
    ) async throws -> Summary {
        let receivedAt = database.now()
        let source = settings.source
        let (rawSHA256, size) = try blobs.putFile(at: file)
        var summary = Summary(rawSHA256: rawSHA256)
        events.inputReceived()

        // Read the stored copy, not the file: the rows are then exactly the bytes kept under
        // raw_sha256, even if a writer was still appending to the dropped file.
        let reader = try CSVReader(path: blobs.url(for: rawSHA256).path, delimiter: settings.delimiter, maxRecordBytes: settings.maxRecordBytes)
        summary.encoding = reader.encoding.rawValue
        summary.delimiter = Self.delimiterName(reader.delimiter)
        var columns: HotlineColumns?
        var headerProblem: String?
        var headerLine = 0
        do {
            if let header = try reader.next() {
                headerLine = header.line
                switch mapping.bind(header: header.fields, timeZone: normalizer.timestamps.timeZone) {
                case .success(var bound):
                    bound.limits = settings.rowLimits
                    columns = bound
                case .failure(let error): headerProblem = "line \(header.line): \(error.reason)"
                }
            } else {
                headerProblem = "the file is empty"
            }
        } catch {
            headerProblem = "\(error)"
        }
        let received = TraceStep(
            "file_received", at: receivedAt, channel: .hotline, source: source, ref: name, rawSHA256: rawSHA256,
            detail: [
                "bytes": .number(Double(size)), "encoding": .string(summary.encoding), "delimiter": .string(summary.delimiter),
            ])
        guard let columns else {
            let reason = headerProblem ?? "no usable header"
            summary.quarantinedReason = reason
            events.invalid()
            try await database.intake { transaction in
                try transaction.storeRawReference(sha256: rawSHA256, channel: .hotline, source: source, mediaType: "text/csv", size: size)
                try transaction.quarantine(QuarantineEntry(
                    channel: .hotline, source: source, kind: .file, fileName: name, rawSHA256: rawSHA256, reason: reason))
                try transaction.trace([received, TraceStep(
                    "quarantined", channel: .hotline, source: source, ref: name, rawSHA256: rawSHA256, detail: ["reason": .string(reason)])])
            }
            reader.close()
            return summary
        }
        defer { reader.close() }
        try await database.intake { transaction in
            try transaction.storeRawReference(sha256: rawSHA256, channel: .hotline, source: source, mediaType: "text/csv", size: size)
            try transaction.trace(received)
        }

        var writer = RejectReport(url: report)
        defer { writer.discard() }
        let origin = CaseNormalizer.Origin(channel: .hotline, source: source, ref: "", receivedAt: receivedAt, rawSHA256: rawSHA256)
        var batch = Batch()
        var inFlight: Task<AdmissionCounts, Error>?
        // A record that fails and looks like a closing "合计 …" line: ignored if nothing follows it.
        var suspectedSummary: (CSVRecord, [HotlineFieldError])?

        func reject(_ record: CSVRecord, _ errors: [HotlineFieldError]) throws {
            summary.rejected += 1
            try writer.add(line: record.line, errors: errors, text: record.text)
            batch.rejected.append(QuarantineEntry(
                channel: .hotline, source: source, kind: .row, fileName: name, rawSHA256: rawSHA256, line: record.line,
                reason: errors.map(\.description).joined(separator: "; "), header: columns.header, fields: record.fields,
                text: record.text))
        }

        func flush() async throws {
            let counts = try await inFlight?.value
            inFlight = nil
            if let counts { summary.add(counts) }
            guard !batch.isEmpty else { return }
            let work = batch
            batch = Batch()
            inFlight = Task { try await commit(work) }
            progress?(reader.bytesRead, reader.fileSize)
        }

        func readRows() async throws {
            while true {
                let record: CSVRecord
                do {
                    guard let next = try reader.next() else { break }
                    record = next
                } catch let error as CSVError {
                    // Past a record that cannot be read (an unterminated quote) nothing can be
                    // trusted: the rows before it are taken, this one reported, the rest left.
                    summary.rows += 1
                    summary.unreadableFrom = error.line
                    try reject(
                        CSVRecord(fields: [], line: error.line, text: ""),
                        [HotlineFieldError(column: 0, header: "", reason: "\(error.message); the rest of the file was not read")])
                    break
                }
                if let (pending, errors) = suspectedSummary {
                    suspectedSummary = nil
                    try reject(pending, errors)
                }
                switch columns.draft(record.fields) {
                case .success(let draft):
                    summary.rows += 1
                    batch.rows.append(prepare(draft, file: name, line: record.line, origin: origin))
                case .failure(let errors):
                    if Self.looksLikeSummary(record) {
                        suspectedSummary = (record, errors)
                        continue
                    }
                    summary.rows += 1
                    try reject(record, errors)
                }
                if batch.count >= settings.batchRows {
                    try await flush()
                    if shouldStop() {
                        _ = try await inFlight?.value
                        throw SpoolInterrupted()
                    }
                }
            }
            if suspectedSummary != nil { summary.summaryLines = 1 }
            try await flush()
            try await flush()
        }

        do {
            try await readRows()
        } catch {
            // The commit in flight finishes (or fails) before the error goes up: nothing of
            // this file is still being written when the caller decides what to do with it.
            _ = try? await inFlight?.value
            throw error
        }
        summary.replacedSequences = reader.replacedSequences
        summary.report = try writer.finish()
        progress?(reader.bytesRead, reader.fileSize)
        let finished = summary
        let firstLine = headerLine
        try await database.intake { transaction in
            try transaction.trace(TraceStep(
                "file_ingested", channel: .hotline, source: source, ref: name, rawSHA256: rawSHA256,
                detail: [
                    "header_line": .number(Double(firstLine)), "rows": .number(Double(finished.rows)),
                    "created": .number(Double(finished.created)), "duplicates": .number(Double(finished.duplicates)),
                    "updated": .number(Double(finished.updated)),
                    "repeats": .number(Double(finished.repeats)), "rejected": .number(Double(finished.rejected)),
                    "summary_lines": .number(Double(finished.summaryLines)),
                    "replaced_sequences": .number(Double(finished.replacedSequences)),
                ]))
        }
        logger.info("hotline file taken", metadata: [
            "intake.source": "\(source)", "intake.file": "\(name)", "intake.rows": "\(summary.rows)",
            "intake.created": "\(summary.created)", "intake.duplicates": "\(summary.duplicates)", "intake.updated": "\(summary.updated)",
            "intake.repeats": "\(summary.repeats)", "intake.rejected": "\(summary.rejected)",
        ])
        return summary
    }

    /// Maps quarantined rows again with the current mapping; the ones that pass become cases
    /// (or repeats) and leave the quarantine.
    public func reprocess(_ entries: [QuarantineEntry], by actor: String) async throws -> [(QuarantineEntry, Result<String, ReprocessFailure>)] {
        var results: [(QuarantineEntry, Result<String, ReprocessFailure>)] = []
        for entry in entries {
            guard entry.kind == .row, let header = entry.header, let fields = entry.fields, let id = entry.id else {
                results.append((entry, .failure(ReprocessFailure(reason: "not a row: reprocess its file"))))
                continue
            }
            var columns: HotlineColumns
            switch mapping.bind(header: header, timeZone: normalizer.timestamps.timeZone) {
            case .success(let bound):
                columns = bound
                columns.limits = settings.rowLimits
            case .failure(let error):
                results.append((entry, .failure(ReprocessFailure(reason: error.reason))))
                continue
            }
            switch columns.draft(fields) {
            case .failure(let errors):
                results.append((entry, .failure(ReprocessFailure(reason: errors.map(\.description).joined(separator: "; ")))))
            case .success(let draft):
                let origin = CaseNormalizer.Origin(
                    channel: .hotline, source: entry.source, ref: "", receivedAt: database.now(), rawSHA256: entry.rawSHA256)
                let rows = try await database.findCandidates([prepare(draft, file: entry.fileName, line: entry.line, origin: origin)])
                let caseID = try await database.intake { transaction in
                    let caseID = try transaction.admit(rows[0]).caseID ?? ""
                    try transaction.resolveQuarantine(id, by: actor, resolution: "case \(caseID)", caseID: caseID)
                    return caseID
                }
                results.append((entry, .success(caseID)))
            }
        }
        return results
    }

    public struct ReprocessFailure: Error, Sendable, Hashable {
        public var reason: String
    }

    // MARK: - Rows

    struct Batch: Sendable {
        /// Made ready outside the writer: the transaction only looks up and inserts.
        var rows: [AdmissionItem] = []
        var rejected: [QuarantineEntry] = []
        var count: Int { rows.count + rejected.count }
        var isEmpty: Bool { count == 0 }
    }

    private func prepare(_ draft: CaseDraft, file: String, line: Int, origin: CaseNormalizer.Origin) -> AdmissionItem {
        AdmissionItem(
            draft: draft, origin: origin, normalizer: normalizer, versioning: .versioned,
            detail: ["file": .string(file), "line": .number(Double(line))])
    }

    private func commit(_ batch: Batch) async throws -> AdmissionCounts {
        let rows = try await database.findCandidates(batch.rows)
        let outcomes = try await database.intake { transaction in
            let outcomes = try rows.map { try transaction.admit($0) }
            for entry in batch.rejected { try transaction.quarantine(entry) }
            return outcomes
        }
        events.admitted(outcomes)
        if !batch.rejected.isEmpty { events.invalid(batch.rejected.count) }
        return AdmissionCounts(outcomes)
    }

    /// A closing line of an export: one or two cells, the first a total with a count, such as
    /// `合计：20条`, `共 20 条`, `总计 20`, `Total: 20`.
    static func looksLikeSummary(_ record: CSVRecord) -> Bool {
        let cells = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let first = cells.first, cells.count <= 2 else { return false }
        return first.range(of: #"^(合计|总计|共计|小计|共|总数|total)\s*[:：]?\s*\d+\s*(条|件|行)?\s*$"#, options: [.regularExpression, .caseInsensitive]) != nil
    }

    static func delimiterName(_ delimiter: UInt8) -> String {
        switch delimiter {
        case UInt8(ascii: "\t"): "tab"
        case UInt8(ascii: ";"): "semicolon"
        default: "comma"
        }
    }
}

extension HotlineIngestor.Summary {
    mutating func add(_ counts: AdmissionCounts) {
        created += counts.created + counts.followups
        duplicates += counts.duplicates
        updated += counts.updated
        repeats += counts.repeats
    }
}
