/// The en catalogue (`zone.locale: en`); also the language of the store's quarantine reasons
/// and of logs.
extension MessageCatalogue {
    static func english(_ message: OperatorMessage) -> String {
        switch message {
        case .requiredCellEmpty(_, let field):
            "empty, but \(field) is required"
        case .invalidDate(_, let value, let formats, _):
            "\"\(value)\" is not a valid date in any accepted format: \(formats.joined(separator: ", "))"
        case .unknownPriority(_, let value, let accepted):
            "\"\(value)\" is not a known priority; accepted: \(accepted.joined(separator: ", "))"
        case .noDescription:
            "no description"
        case .cellsBeyondHeader(let count, let headerColumns, let limit):
            "the row has \(count) non-empty cells beyond the header's \(headerColumns) columns; at most "
                + "\(limit) are taken (is the delimiter right, or a quote left open?)"
        case .extraTooLarge(let bytes, let limit):
            "the unmapped cells hold \(bytes) bytes; at most \(limit) are taken into extra"
        case .unreadableRecord(let detail):
            "\(detail); the rest of the file was not read"
        case .emptyFile:
            "the file is empty"
        case .noUsableHeader:
            "no usable header"
        case .notAHeaderRow(let sample, let mappingFile, let expected):
            "the first record is not a header row: none of its cells (\(sample.map { $0 == "…" ? $0 : "\"\($0)\"" }.joined(separator: ", "))) is a column name listed in \(mappingFile); "
                + "expected a header row naming " + expected.joined(separator: ", ")
        case .missingRequiredColumns(let missing, let columns, let mappingFile):
            "the header row has no column for required \(missing.count == 1 ? "field" : "fields") \(missing.joined(separator: "; ")); "
                + "its columns are: \(columns.joined(separator: ", ")); rename the column in the export or add its name to \(mappingFile)"
        case .headerAtLine(let line, let problem):
            "line \(line): \(english(problem))"
        case .failedRepeatedly(let attempts, let lastError):
            "failed \(attempts) times, last: \(lastError)"
        case .verbatim(let text):
            text
        }
    }

    static let englishRejectColumns = ["line", "column", "reason", "row"]
    static let englishResultColumns = ["line", "ref", "outcome", "case_id", "case_token", "duplicate_of"]
}
