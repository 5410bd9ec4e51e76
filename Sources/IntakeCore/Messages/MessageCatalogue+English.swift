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
        case .required: "is required"
        case .requiredWithID: "is required, with at least an id"
        case .mustNotBeEmpty: "must not be empty"
        case .isEmpty: "is empty"
        case .wrongType(let expected, let found): "expected \(englishType(expected)), found \(found)"
        case .notTimestamp(let value): "\"\(value)\" is not an RFC 3339 timestamp with offset"
        case .notUUID(let value): "\"\(value)\" is not a UUID"
        case .unknownField(let object, let allowed): "unknown field; \(object) has \(allowed.joined(separator: ", "))"
        case .tooMany(let count, let limit, let noun, let perBatch): "has \(count) \(noun); at most \(limit)\(perBatch ? " per batch" : "")"
        case .tooManyCharacters(let count, let limit): "has \(count) characters; at most \(limit)"
        case .unexpectedBesideBatch(let member, let names): "unexpected beside \"\(member)\" in a batch\(names.isEmpty ? "" : ": \(names)")"
        case .repeatsVisit(let at): "repeats the visit at \(at) in the same batch"
        case .noDemands: "a visit needs at least one demand, or notes to take them from"
        case .notesEnumerateTooMany(let count, let limit): "enumerates \(count) demands; at most \(limit)"
        case .attachmentNeedsContent: "needs content_base64 or part"
        case .attachmentHasBothContentAndPart: "has both content_base64 and part; give one"
        case .multipartNeedsVisitPart: "the multipart upload needs a part named \"visit\" holding the visit JSON"
        case .noFilePart(let name): "no file part named \"\(name)\" in the upload"
        case .notJSON(let detail): "not valid JSON: \(detail)"
        case .verbatim(let text):
            text
        }
    }

    /// "an object", "a string", "true or false", "a JSON object" (the whole body or a list item).
    static func englishType(_ name: String) -> String {
        switch name {
        case "boolean": "true or false"
        case "object": "an object"
        case "array": "an array"
        case "json_object": "a JSON object"
        default: "a \(name)"
        }
    }

    static let englishRejectColumns = ["line", "column", "reason", "row"]
    static let englishResultColumns = ["line", "ref", "outcome", "case_id", "case_token", "duplicate_of"]
}
