/// Something said to an operator, as data: what it is about and its values. The words are the
/// catalogue's (`MessageCatalogue+Chinese.swift`, `MessageCatalogue+English.swift`), one file
/// per locale, each an exhaustive switch, so a message missing from a locale does not compile.
public indirect enum OperatorMessage: Sendable, Hashable {
    // Hotline rows (NAME.errors.csv, the quarantine).
    /// A required column's cell is empty; `field` is the canonical field it fills.
    case requiredCellEmpty(header: String, field: String)
    /// A date no format reads; `examples` is one sample date written in each format.
    case invalidDate(header: String, value: String, formats: [String], examples: [String])
    case unknownPriority(header: String, value: String, accepted: [String])
    case noDescription
    case cellsBeyondHeader(count: Int, headerColumns: Int, limit: Int)
    case extraTooLarge(bytes: Int, limit: Int)
    /// A record the CSV reader could not read (an unterminated quote); `detail` is the reader's.
    case unreadableRecord(detail: String)

    // Hotline files (NAME.reason.txt).
    case emptyFile
    case noUsableHeader
    /// The first record names none of the mapping's columns.
    case notAHeaderRow(sample: [String], mappingFile: String, expected: [String])
    /// The header lacks required columns (`missing`: "field (accepted headers)").
    case missingRequiredColumns(missing: [String], columns: [String], mappingFile: String)
    case headerAtLine(line: Int, problem: OperatorMessage)
    /// A file that failed `attempts` times and was set aside.
    case failedRepeatedly(attempts: Int, lastError: String)
    // Fields of a JSON body (visit uploads' answers, visit drop files' reports), under their pointer.
    case required
    /// `staff` without an id.
    case requiredWithID
    case mustNotBeEmpty
    case isEmpty
    /// A value of the wrong JSON type; `expected` and `found` are JSON type names
    /// (`string`, `boolean`, `object`, `array`, `number`, `null`).
    case wrongType(expected: String, found: String)
    case notTimestamp(value: String)
    case notUUID(value: String)
    /// An unknown member of `object` (a phrase such as "a visit"); `allowed` its members.
    case unknownField(object: String, allowed: [String])
    /// A list longer than allowed: `count` items of `noun` (visits, demands, names, attachments).
    case tooMany(count: Int, limit: Int, noun: String, perBatch: Bool)
    case tooManyCharacters(count: Int, limit: Int)
    case unexpectedBesideBatch(member: String, names: String)
    case repeatsVisit(at: String)
    case noDemands
    case notesEnumerateTooMany(count: Int, limit: Int)
    case attachmentNeedsContent
    case attachmentHasBothContentAndPart
    case multipartNeedsVisitPart
    case noFilePart(name: String)
    case notJSON(detail: String)

    /// Text from elsewhere (a parser's message), shown as it is.
    case verbatim(String)
}
