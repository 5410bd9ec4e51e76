import Foundation
import IntakeCore
import IntakeStore

/// Batch exports of visit records dropped into a spool directory: `.json` (one visit, or
/// `{"visits": [...]}`) or `.jsonl` (one visit per line). Taken like an upload — every valid
/// visit of the file in one transaction — with the same completion rules, archive and
/// quarantine as the hotline spool; invalid visits are listed in `NAME.errors.txt`.
public struct VisitFileIngestor: Sendable {
    let intake: VisitIntake
    let decoder: VisitDecoder
    let blobs: BlobStore
    public init(intake: VisitIntake, decoder: VisitDecoder, blobs: BlobStore) {
        self.intake = intake
        self.decoder = decoder
        self.blobs = blobs
    }

    public struct Summary: Sendable {
        public var rawSHA256: String
        public var answers: [VisitIntake.VisitAnswer] = []
        /// Set when the file cannot be read as visits at all.
        public var unreadable: String?
        /// Cases were created or updated.
        public var changed: Bool { answers.contains { $0.changed } }

        /// The invalid visits as CSV (UTF-8 with a BOM, for Excel): visit id, errors (`走访编号,错误`
        /// in zh-CN), the errors in the catalogue's words.
        public func report(_ catalogue: MessageCatalogue) -> Data? {
            let invalid = answers.filter { $0.status == "invalid" }
            guard !invalid.isEmpty else { return nil }
            func field(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            let header = catalogue.visitReportColumns.joined(separator: ",")
            let lines = [header] + invalid.map { field($0.visitID ?? "") + "," + field($0.errors.map { $0.text(catalogue) }.joined(separator: "; ")) }
            return Data([0xEF, 0xBB, 0xBF]) + Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
        }
    }

    /// Takes a dropped file for the spool service: the visits, and the invalid ones' report
    /// written (durably) to `report` when there are any.
    public func ingest(file: URL, name: String, report: URL) async throws -> SpoolOutcome {
        let summary = try await ingest(file: file, name: name)
        var written: URL?
        if let text = summary.report(intake.catalogue) {
            try DurableFile.writeFile(text, to: report, fsync: true)
            written = report
        }
        return SpoolOutcome(rawSHA256: summary.rawSHA256, quarantinedReason: summary.unreadable, report: written, changed: summary.changed)
    }

    public func ingest(file: URL, name: String) async throws -> Summary {
        let stored = try blobs.putFile(at: file)
        let bytes = try Data(contentsOf: blobs.url(for: stored.sha256))
        var results: [VisitDecoder.VisitResult] = []
        do {
            if name.lowercased().hasSuffix(".jsonl") {
                var lineNumber = 0
                for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                    lineNumber += 1
                    guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
                    let value: JSONValue
                    do {
                        value = try JSONParser.parse(Array(line))
                    } catch {
                        // One broken line does not cost the file its good visits.
                        results.append(.invalid(index: lineNumber, visitID: nil, errors: [FieldError("line \(lineNumber)", .notJSON(detail: "\(error)"))]))
                        continue
                    }
                    switch decoder.decode(value) {
                    case .success(let decoded): results += decoded.map { Self.located($0, line: lineNumber) }
                    case .failure(let error): results.append(.invalid(index: lineNumber, visitID: nil, errors: [FieldError("line \(lineNumber)", error.description)]))
                    }
                }
            } else {
                switch decoder.decode(try JSONParser.parse(Array(bytes))) {
                case .success(let decoded): results = decoded
                case .failure(let error): return Summary(rawSHA256: stored.sha256, unreadable: error.description)
                }
            }
        } catch {
            return Summary(rawSHA256: stored.sha256, unreadable: "not valid JSON: \(error)")
        }
        var summary = Summary(rawSHA256: stored.sha256)
        summary.answers = try await intake.take(
            results, raw: Data(), mediaType: name.lowercased().hasSuffix(".jsonl") ? "application/jsonl" : "application/json",
            uploadedBy: "drop file \(name)", rawInBlobStore: stored)
        return summary
    }

    /// Errors of a `.jsonl` line name the line.
    private static func located(_ result: VisitDecoder.VisitResult, line: Int) -> VisitDecoder.VisitResult {
        guard case .invalid(let index, let visitID, let errors) = result else { return result }
        return .invalid(index: index, visitID: visitID, errors: errors.map { $0.at("line \(line)\($0.field)") })
    }
}
