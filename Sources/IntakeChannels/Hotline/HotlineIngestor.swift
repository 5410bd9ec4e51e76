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
        /// The language of the reports and of a quarantined file's reason (`zone.locale`).
        public var locale: OperatorLocale

        public init(
            source: String, delimiter: UInt8? = nil, batchRows: Int = 2000, maxRecordBytes: Int = 1 << 20,
            rowLimits: HotlineColumns.RowLimits = .init(), locale: OperatorLocale = .zhCN
        ) {
            self.source = source
            self.delimiter = delimiter
            self.batchRows = batchRows
            self.maxRecordBytes = maxRecordBytes
            self.rowLimits = rowLimits
            self.locale = locale
        }
    }

    /// What became of a file.
    public struct Summary: Sendable, Hashable {
        /// The summary as the spool service needs it.
        public var spoolOutcome: SpoolOutcome {
            SpoolOutcome(
                rawSHA256: rawSHA256, quarantinedReason: quarantinedReason, report: report, result: result,
                changed: created + duplicates + updated > 0)
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
        /// Set when the file had no usable header and was quarantined whole: the reason in the
        /// operators' language (`NAME.reason.txt`; the store keeps it in English).
        public var quarantinedReason: String?
        /// The reject report, when rows were rejected.
        public var report: URL?
        /// The result report (every row's outcome and case), when one was asked for and the file had rows.
        public var result: URL?
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
    /// (written only when there are any), every row's outcome and case in `result`.
    /// - Parameter progress: told the bytes read and the file's size after each batch.
    public func ingest(
        file: URL, name: String, report: URL, result: URL? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil,
        shouldStop: StopCheck = { false }
    ) async throws -> Summary {
        let catalogue = settings.locale.catalogue
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
        var headerProblem: OperatorMessage?
        var headerLine = 0
        do {
            if let header = try reader.next() {
                headerLine = header.line
                switch mapping.bind(header: header.fields, timeZone: normalizer.timestamps.timeZone) {
                case .success(var bound):
                    bound.limits = settings.rowLimits
                    columns = bound
                case .failure(let error): headerProblem = .headerAtLine(line: header.line, problem: error.message)
                }
            } else {
                headerProblem = .emptyFile
            }
        } catch {
            headerProblem = .verbatim("\(error)")
        }
        let received = TraceStep(
            "file_received", at: receivedAt, channel: .hotline, source: source, ref: name, rawSHA256: rawSHA256,
            detail: [
                "bytes": .number(Double(size)), "encoding": .string(summary.encoding), "delimiter": .string(summary.delimiter),
            ])
        guard let columns else {
            let problem = headerProblem ?? .noUsableHeader
            let reason = MessageCatalogue.english.text(problem)
            summary.quarantinedReason = catalogue.text(problem)
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

        var writer = CSVReport(url: report, columns: catalogue.rejectReportColumns)
        defer { writer.discard() }
        var results = result.map { CSVReport(url: $0, columns: catalogue.resultReportColumns) }
        defer { results?.discard() }
        let origin = CaseNormalizer.Origin(channel: .hotline, source: source, ref: "", receivedAt: receivedAt, rawSHA256: rawSHA256)
        var batch = Batch()
        var inFlight: Task<Committed, Error>?
        // A record that fails and looks like a closing "合计 …" line: ignored if nothing follows it.
        var suspectedSummary: (CSVRecord, [HotlineFieldError])?

        func reject(_ record: CSVRecord, _ errors: [HotlineFieldError]) throws {
            summary.rejected += 1
            let cells = errors.filter { $0.column > 0 }.map { $0.header.isEmpty ? "\($0.column)" : "\($0.column) \($0.header)" }
            try writer.add([
                String(record.line), cells.joined(separator: "; "), errors.map { catalogue.text($0.message) }.joined(separator: "; "),
                CSVReport.inert(record.text),
            ])
            batch.rejectedRefs.append(columns.ref(record.fields))
            batch.rejected.append(QuarantineEntry(
                channel: .hotline, source: source, kind: .row, fileName: name, rawSHA256: rawSHA256, line: record.line,
                reason: errors.map(\.description).joined(separator: "; "), header: columns.header, fields: record.fields,
                text: record.text))
        }

        func flush() async throws {
            let committed = try await inFlight?.value
            inFlight = nil
            if let committed {
                summary.add(committed.counts)
                for line in committed.resultLines { try results?.add(line) }
            }
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
                        [HotlineFieldError(column: 0, header: "", message: .unreadableRecord(detail: error.message))])
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
                    batch.rowRefs.append(draft.ref ?? "")
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
        summary.result = try results?.finish()
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
        /// Each row's work-order number (工单编号), for the result report.
        var rowRefs: [String] = []
        var rejected: [QuarantineEntry] = []
        var rejectedRefs: [String] = []
        var count: Int { rows.count + rejected.count }
        var isEmpty: Bool { count == 0 }
    }

    private func prepare(_ draft: CaseDraft, file: String, line: Int, origin: CaseNormalizer.Origin) -> AdmissionItem {
        AdmissionItem(
            draft: draft, origin: origin, normalizer: normalizer, versioning: .versioned,
            detail: ["file": .string(file), "line": .number(Double(line))])
    }

    /// A batch committed: its counts and its lines of the result report, in line order.
    struct Committed: Sendable {
        var counts: AdmissionCounts
        var resultLines: [[String]]
    }

    private func commit(_ batch: Batch) async throws -> Committed {
        let rows = try await database.findCandidates(batch.rows)
        let outcomes = try await database.intake { transaction in
            let outcomes = try rows.map { try transaction.admit($0) }
            for entry in batch.rejected { try transaction.quarantine(entry) }
            return outcomes
        }
        events.admitted(outcomes)
        if !batch.rejected.isEmpty { events.invalid(batch.rejected.count) }
        return Committed(counts: AdmissionCounts(outcomes), resultLines: resultLines(batch, outcomes))
    }

    /// The result report's lines of a batch: line, work-order number, outcome, case id, case
    /// number token, and the original case of a duplicate; rejected rows with no case.
    private func resultLines(_ batch: Batch, _ outcomes: [AdmissionOutcome]) -> [[String]] {
        let catalogue = settings.locale.catalogue
        var lines: [(line: Int, fields: [String])] = []
        for (index, outcome) in outcomes.enumerated() {
            let line = batch.rows[index].origin["line"]?.numberValue.map { Int($0) } ?? 0
            let caseID = outcome.caseID ?? ""
            var original = ""
            if case .duplicate(_, let of, _) = outcome { original = of }
            lines.append((line, [
                String(line), CSVReport.inert(batch.rowRefs[index]), catalogue.outcome(outcome.status), caseID,
                caseID.isEmpty ? "" : CaseToken.of(caseID: caseID), original,
            ]))
        }
        for (index, entry) in batch.rejected.enumerated() {
            let line = entry.line
            lines.append((line, [String(line), CSVReport.inert(batch.rejectedRefs[index]), catalogue.outcome("rejected"), "", "", ""]))
        }
        return lines.sorted { $0.line < $1.line }.map(\.fields)
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
