import Foundation
import IntakeCore

/// Which columns of a hotline export fill which case fields, read from
/// `channels/hotline.yaml`, so that a new export layout is a configuration change.
///
/// `load` checks the file; `bind` matches an export's header row against it once per file,
/// and the `HotlineColumns` it returns maps each record.
public struct HotlineMapping: Sendable {
    /// The file it was read from, named in messages.
    public let file: String
    let rules: [HotlineFieldRule]
    /// The date formats as written, in the order they are tried.
    public let dateFormats: [String]

    static let defaultDateFormats = [
        "yyyy/M/d H:mm", "yyyy/M/d H:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
        "yyyy年M月d日 H时m分", "yyyy年M月d日 H:mm", "yyyy年M月d日", "excel-serial",
    ]

    init(file: String, rules: [HotlineFieldRule], dateFormats: [String]) {
        self.file = file
        self.rules = rules
        self.dateFormats = dateFormats
    }

    /// Reads and checks a mapping file; every mistake is reported with its line and column.
    public static func load(path: String) throws(HotlineMappingError) -> HotlineMapping {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw HotlineMappingError(issues: [ConfigurationIssue(file: path, option: "", message: "cannot read: \(error.localizedDescription)")])
        }
        return try parse(yaml: text, file: path)
    }

    /// Reads and checks mapping text; `file` names it in the issues.
    public static func parse(yaml: String, file: String) throws(HotlineMappingError) -> HotlineMapping {
        var reader = HotlineMappingReader(file: file)
        guard let mapping = reader.read(yaml), reader.issues.isEmpty else {
            throw HotlineMappingError(issues: reader.issues)
        }
        return mapping
    }

    /// Matches an export's header row: for each field, the first of its header names that the
    /// export has. Fails, naming what is missing and what would be accepted, when a required
    /// field has no column or when the row is not a header at all.
    public func bind(header: [String], timeZone: TimeZone) -> Result<HotlineColumns, HotlineHeaderError> {
        let keys = header.map(TextNormalizer.matchingLine)
        var claimed = [Bool](repeating: false, count: header.count)
        var bindings: [HotlineColumns.Binding] = []
        var boundHeaders: [String] = []
        var missing: [HotlineFieldRule] = []
        for rule in rules {
            let column = rule.headerKeys.lazy.compactMap { key in
                keys.indices.first { !claimed[$0] && keys[$0] == key }
            }.first
            if let column {
                claimed[column] = true
                bindings.append(HotlineColumns.Binding(column: column, field: rule.field, required: rule.required))
                boundHeaders.append(keys[column])
            } else if rule.required {
                missing.append(rule)
            }
        }
        if bindings.isEmpty {
            return .failure(HotlineHeaderError(message: .notAHeaderRow(
                sample: keys.prefix(4) + (keys.count > 4 ? ["…"] : []), mappingFile: file,
                expected: rules.filter(\.required).map { "\($0.field.rawValue) (\($0.acceptedHeaders))" })))
        }
        if !missing.isEmpty {
            return .failure(HotlineHeaderError(message: .missingRequiredColumns(
                missing: missing.map { "\($0.field.rawValue) (\($0.acceptedHeaders))" }, columns: keys, mappingFile: file)))
        }
        var extras: [(column: Int, name: String)] = []
        var extraNames = Set<String>()
        for column in header.indices where !claimed[column] {
            var name = keys[column].isEmpty ? "column_\(column + 1)" : keys[column]
            if !extraNames.insert(name).inserted {
                name = "\(name) (column_\(column + 1))"
                extraNames.insert(name)
            }
            extras.append((column, name))
        }
        let dates: HotlineDateParser
        do {
            dates = try HotlineDateParser(formats: dateFormats, timeZone: timeZone)
        } catch {
            // The formats compiled when the mapping was read.
            preconditionFailure("\(error)")
        }
        let priorityRule = rules.first { $0.field == .priority }
        return .success(HotlineColumns(
            header: header, bindings: bindings, extras: extras, dates: dates,
            defaultPriority: priorityRule?.defaultPriority ?? .normal,
            boundHeaders: boundHeaders, priorityValues: priorityRule?.values ?? [:]))
    }
}

/// Why an export's header row cannot be used; the file is quarantined whole.
public struct HotlineHeaderError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: OperatorMessage

    public init(message: OperatorMessage) {
        self.message = message
    }

    /// The reason in English (the store's quarantine entries, the CLI).
    public var reason: String { MessageCatalogue.english.text(message) }

    public var description: String { reason }
}
