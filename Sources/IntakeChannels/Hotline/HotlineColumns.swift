import Foundation
import IntakeCore
import IntakePipeline

/// An export's header row bound to the mapping: which column fills which field. Maps each
/// record of the file to a case draft.
public struct HotlineColumns: Sendable {
    /// The header row as the export gave it.
    public let header: [String]
    let bindings: [Binding]
    /// Columns no field claims; their values go to `extra` under `name`.
    let extras: [(column: Int, name: String)]
    let dates: HotlineDateParser
    /// For records with no priority column or an empty one.
    let defaultPriority: Priority

    /// Plain values only: it is read once per field per record, and copying anything with
    /// references in it would cost a retain and a release each time.
    struct Binding: Sendable {
        var column: Int
        var field: HotlineField
        var required: Bool
    }

    /// The export's header (normalised) of each binding, for messages.
    let boundHeaders: [String]
    /// The priority rule's labels, normalised, to canonical values.
    let priorityValues: [String: Priority]
    /// What a row may carry besides its mapped fields.
    public var limits = RowLimits()

    /// Bounds on what lands in a case's `extra`: a row with 100 000 cells (a wrong delimiter,
    /// an unclosed quote, or an attack) became a 1.9 MB event. Such a row is rejected with a
    /// reason, and the rest of the file is taken.
    public struct RowLimits: Sendable, Hashable {
        /// Non-empty cells beyond the header's last column (empty ones, as spreadsheets pad
        /// rows with, are not counted).
        public var maxCellsBeyondHeader: Int
        /// UTF-8 bytes of all values that go to `extra` (names and values).
        public var maxExtraBytes: Int

        public init(maxCellsBeyondHeader: Int = 32, maxExtraBytes: Int = 16 << 10) {
            self.maxCellsBeyondHeader = maxCellsBeyondHeader
            self.maxExtraBytes = maxExtraBytes
        }
    }

    /// Maps one record. Values are trimmed and empty ones left out; columns with no canonical
    /// home go to `extra`. Every problem of the row is returned, each naming its column.
    public func draft(_ fields: [String]) -> HotlineDraftResult {
        var draft = CaseDraft(description: "", priority: defaultPriority)
        var errors: [HotlineFieldError] = []
        for index in bindings.indices {
            let binding = bindings[index]
            let value = binding.column < fields.count ? CellText.trimmed(fields[binding.column]) : ""
            guard !value.isEmpty else {
                if binding.required {
                    errors.append(error(index, .requiredCellEmpty(header: boundHeaders[index], field: binding.field.rawValue)))
                }
                continue
            }
            switch binding.field {
            case .ref: draft.ref = value
            case .reportedAt:
                if let date = dates.parse(value) {
                    draft.reportedAt = date
                } else {
                    errors.append(error(index, .invalidDate(
                        header: boundHeaders[index], value: value, formats: dates.formats, examples: dates.formats.map(HotlineDateParser.example))))
                }
            case .requesterName: draft.requesterName = value
            case .requesterPhone: draft.requesterPhone = value
            case .requesterEmail: draft.requesterEmail = value
            case .requesterRole: draft.requesterRole = value
            case .enterpriseName: draft.enterpriseName = value
            case .enterpriseUSCC: draft.enterpriseUSCC = value
            case .subject: draft.subject = value
            case .description: draft.description = value
            case .category: draft.sourceCategory = value
            case .priority:
                if let priority = priority(value) {
                    draft.priority = priority
                } else {
                    let accepted = priorityValues.keys.sorted() + ["urgent", "normal"]
                    errors.append(error(index, .unknownPriority(header: boundHeaders[index], value: value, accepted: accepted)))
                }
            case .address: draft.address = value
            case .district: draft.district = value
            }
        }
        if draft.description.isEmpty, errors.isEmpty {
            // description is always mapped and required, so this is unreachable unless the
            // mapping was built by hand; keep the guarantee of a non-empty description.
            errors.append(HotlineFieldError(column: 0, header: "", message: .noDescription))
        }
        var extra: [String: JSONValue] = [:]
        var extraBytes = 0
        for (column, name) in extras where column < fields.count {
            let value = CellText.trimmed(fields[column])
            if !value.isEmpty {
                extra[name] = .string(value)
                extraBytes += name.utf8.count + value.utf8.count
            }
        }
        if fields.count > header.count {
            var beyond = 0
            for column in header.count..<fields.count {
                let value = CellText.trimmed(fields[column])
                guard !value.isEmpty else { continue }
                beyond += 1
                if beyond <= limits.maxCellsBeyondHeader {
                    extra["column_\(column + 1)"] = .string(value)
                    extraBytes += value.utf8.count + 10
                }
            }
            if beyond > limits.maxCellsBeyondHeader {
                errors.append(HotlineFieldError(
                    column: header.count + 1, header: "",
                    message: .cellsBeyondHeader(count: beyond, headerColumns: header.count, limit: limits.maxCellsBeyondHeader)))
            }
        }
        if extraBytes > limits.maxExtraBytes, !errors.contains(where: { $0.column == header.count + 1 }) {
            errors.append(HotlineFieldError(
                column: 0, header: "", message: .extraTooLarge(bytes: extraBytes, limit: limits.maxExtraBytes)))
        }
        guard errors.isEmpty else { return .failure(errors.sorted { $0.column < $1.column }) }
        draft.extra = extra
        return .success(draft)
    }

    private func priority(_ value: String) -> Priority? {
        if let priority = priorityValues[value] { return priority }
        let key = TextNormalizer.matchingLine(value)
        return priorityValues[key] ?? Priority(rawValue: key.lowercased())
    }

    private func error(_ index: Int, _ message: OperatorMessage) -> HotlineFieldError {
        HotlineFieldError(column: bindings[index].column + 1, header: boundHeaders[index], message: message)
    }

    /// The row's work-order number (its `ref` cell), for reports of rows that were rejected.
    public func ref(_ fields: [String]) -> String {
        guard let binding = bindings.first(where: { $0.field == .ref }), binding.column < fields.count else { return "" }
        return CellText.trimmed(fields[binding.column])
    }
}

/// A record mapped: its draft, or every problem of the row in column order. (Not a `Result`:
/// its failure would have to be a single `Error`, and an array of them is not one.)
public enum HotlineDraftResult: Sendable, Hashable {
    case success(CaseDraft)
    case failure([HotlineFieldError])

    public var draft: CaseDraft? {
        if case .success(let draft) = self { draft } else { nil }
    }

    public var errors: [HotlineFieldError] {
        if case .failure(let errors) = self { errors } else { [] }
    }
}

/// What is wrong with one cell of a record: its 1-based column, that column's header, and
/// what was expected (as a message each locale words its own way).
public struct HotlineFieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public var column: Int
    public var header: String
    public var message: OperatorMessage

    public init(column: Int, header: String, message: OperatorMessage) {
        self.column = column
        self.header = header
        self.message = message
    }

    /// The reason in English: the store's quarantine entries and logs.
    public var reason: String { MessageCatalogue.english.text(message) }

    /// `column 2 (来电时间): "2026/13/1 9:00" is not a date …`
    public var description: String { "column \(column) (\(header)): \(reason)" }
}
