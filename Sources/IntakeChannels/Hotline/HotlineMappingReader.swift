import IntakeCore
import Yams

/// Reads a mapping file through Yams' node tree, so that every mistake can be reported at
/// its line and column, and collects all of them rather than stopping at the first.
struct HotlineMappingReader {
    let file: String
    private(set) var issues: [ConfigurationIssue] = []
    private var yamlText = ""

    init(file: String) {
        self.file = file
    }

    private static let fieldOptions = ["headers", "required", "type", "values", "default"]

    mutating func read(_ text: String) -> HotlineMapping? {
        yamlText = text
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            report(error)
            return nil
        } catch {
            issues.append(ConfigurationIssue(file: file, option: "", message: "\(error)"))
            return nil
        }
        guard let root, case .mapping(let top) = root else {
            add(root, "", "expected a mapping with \"fields\" (and optionally \"date_formats\")")
            return nil
        }
        var rules: [HotlineFieldRule] = []
        var dateFormats = HotlineMapping.defaultDateFormats
        var sawFields = false
        for (key, value) in top {
            switch key.string {
            case "fields":
                sawFields = true
                rules = readFields(value)
            case "date_formats":
                dateFormats = readDateFormats(value)
            default:
                add(key, key.string ?? "", "unknown option; expected fields or date_formats")
            }
        }
        let fieldsKey = top.first { $0.key.string == "fields" }?.key
        if !sawFields {
            add(root, "fields", "missing; list which export columns fill which case fields")
        } else if !rules.isEmpty, !rules.contains(where: { $0.field == .ref }) {
            add(fieldsKey, "fields.ref", "missing; rows are recognised again by their work-order number, so one column must fill it")
        }
        if !rules.isEmpty, !rules.contains(where: { $0.field == .description }) {
            add(fieldsKey, "fields.description", "missing; every case needs a description, so one column must fill it")
        }
        return HotlineMapping(file: file, rules: rules, dateFormats: dateFormats)
    }

    // MARK: fields

    private mutating func readFields(_ node: Node) -> [HotlineFieldRule] {
        guard case .mapping(let fields) = node else {
            add(node, "fields", "expected a mapping of case fields, e.g. ref: { headers: [工单编号] }")
            return []
        }
        var rules: [HotlineFieldRule] = []
        /// Header key → the field that claimed it and where.
        var claimed: [String: (field: HotlineField, line: Int?)] = [:]
        for (key, value) in fields {
            let name = key.string ?? ""
            guard let field = HotlineField(rawValue: name) else {
                add(key, "fields.\(name)", "unknown case field; expected one of: \(HotlineField.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            guard let rule = readField(field, value, claimed: &claimed) else { continue }
            rules.append(rule)
        }
        return rules
    }

    /// Without a work-order number a row cannot be recognised when it comes again; without a
    /// description there is no request.
    static let alwaysRequired: Set<HotlineField> = [.ref, .description]

    private mutating func readField(
        _ field: HotlineField, _ node: Node, claimed: inout [String: (field: HotlineField, line: Int?)]
    ) -> HotlineFieldRule? {
        let option = "fields.\(field.rawValue)"
        guard case .mapping(let entries) = node else {
            add(node, option, "expected a mapping such as { headers: [工单编号, 工单号] }")
            return nil
        }
        var rule = HotlineFieldRule(field: field, headers: [], headerKeys: [], required: Self.alwaysRequired.contains(field),
                                    values: [:], defaultPriority: .normal)
        var sawHeaders = false
        for (key, value) in entries {
            let name = key.string ?? ""
            switch name {
            case "headers":
                sawHeaders = true
                readHeaders(value, into: &rule, option: "\(option).headers", claimed: &claimed)
            case "required":
                guard let required = value.bool, value.scalar != nil else {
                    add(value, "\(option).required", "expected true or false")
                    continue
                }
                if Self.alwaysRequired.contains(field), !required {
                    add(value, "\(option).required", field == .ref
                        ? "ref is always required: rows without a work-order number could not be told apart"
                        : "description is always required; a case without one is rejected")
                }
                rule.required = required || Self.alwaysRequired.contains(field)
            case "type":
                readType(value, field: field, option: "\(option).type")
            case "values":
                readValues(value, into: &rule, option: "\(option).values")
            case "default":
                guard field == .priority else {
                    add(key, "\(option).default", "only priority has a default")
                    continue
                }
                guard let text = value.string, let priority = Priority(rawValue: text) else {
                    add(value, "\(option).default", "expected urgent or normal")
                    continue
                }
                rule.defaultPriority = priority
            default:
                add(key, "\(option).\(name)", "unknown option; expected one of: \(Self.fieldOptions.joined(separator: ", "))")
            }
        }
        if !sawHeaders {
            add(node, "\(option).headers", "missing; list the export header names this field is read from")
        }
        return rule.headers.isEmpty ? nil : rule
    }

    private mutating func readHeaders(
        _ node: Node, into rule: inout HotlineFieldRule, option: String,
        claimed: inout [String: (field: HotlineField, line: Int?)]
    ) {
        guard case .sequence(let sequence) = node else {
            add(node, option, "expected a list of header names, e.g. [工单编号, 工单号]")
            return
        }
        if sequence.isEmpty {
            add(node, option, "no headers; list at least one export header name")
        }
        for item in sequence {
            guard case .scalar(let scalar) = item else {
                add(item, option, "expected a header name")
                continue
            }
            let key = TextNormalizer.matchingLine(scalar.string)
            if key.isEmpty {
                add(item, option, "empty header name")
                continue
            }
            if let owner = claimed[key] {
                let place = owner.line.map { " (line \($0))" } ?? ""
                let message = owner.field == rule.field
                    ? "header \"\(scalar.string)\" is listed twice"
                    : "header \"\(scalar.string)\" is already claimed by fields.\(owner.field.rawValue)\(place); a column can fill only one field"
                add(item, option, message)
                continue
            }
            claimed[key] = (rule.field, item.mark?.line)
            rule.headers.append(scalar.string)
            rule.headerKeys.append(key)
        }
    }

    private mutating func readType(_ node: Node, field: HotlineField, option: String) {
        guard let text = node.scalar?.string, let kind = HotlineField.Kind(rawValue: text), kind != .priority else {
            add(node, option, "unknown type \"\(node.scalar?.string ?? "")\"; expected text or datetime")
            return
        }
        switch (field.kind, kind) {
        case (.datetime, .text):
            add(node, option, "\(field.rawValue) holds a date and time; its type is datetime")
        case (.text, .datetime), (.priority, .datetime):
            add(node, option, "only reported_at is a datetime; \(field.rawValue) holds text")
        default:
            break
        }
    }

    private mutating func readValues(_ node: Node, into rule: inout HotlineFieldRule, option: String) {
        guard rule.field == .priority else {
            add(node, option, "only priority has a value map")
            return
        }
        guard case .mapping(let pairs) = node else {
            add(node, option, "expected a mapping of the export's labels to urgent or normal, e.g. { 特急: urgent, 一般: normal }")
            return
        }
        for (label, target) in pairs {
            let key = TextNormalizer.matchingLine(label.string ?? "")
            guard !key.isEmpty else {
                add(label, option, "empty label")
                continue
            }
            guard let text = target.string, let priority = Priority(rawValue: text) else {
                add(target, "\(option).\(key)", "maps to \"\(target.string ?? "")\"; expected urgent or normal")
                continue
            }
            if rule.values[key] != nil {
                add(label, "\(option).\(key)", "label listed twice")
            }
            rule.values[key] = priority
        }
    }

    // MARK: date formats

    private mutating func readDateFormats(_ node: Node) -> [String] {
        guard case .sequence(let sequence) = node else {
            add(node, "date_formats", "expected a list of formats, e.g. [\"yyyy/M/d H:mm\", excel-serial]")
            return []
        }
        if sequence.isEmpty {
            add(node, "date_formats", "no formats; list at least one")
        }
        var formats: [String] = []
        for (index, item) in sequence.enumerated() {
            guard case .scalar(let scalar) = item else {
                add(item, "date_formats[\(index)]", "expected a format string")
                continue
            }
            do {
                _ = try HotlineDateParser(formats: [scalar.string], timeZone: .gmt)
                formats.append(scalar.string)
            } catch {
                add(item, "date_formats[\(index)]", error.description)
            }
        }
        return formats
    }

    // MARK: issues

    private mutating func add(_ node: Node?, _ option: String, _ message: String) {
        issues.append(ConfigurationIssue(file: file, line: node?.mark?.line, column: node?.mark?.column, option: option, message: message))
    }

    private mutating func report(_ error: YamlError) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let message = [problem, context.map { "(\($0.text) at line \($0.mark.line))" }].compactMap { $0 }.joined(separator: " ")
            issues.append(ConfigurationIssue(file: file, line: mark.line, column: mark.column, option: "", message: message))
        case .duplicatedKeysInMapping(let duplicates, let context):
            for key in duplicates {
                let mark = Self.repeatedKey(key, in: yamlText, mappingAt: context.mark) ?? (context.mark.line, context.mark.column)
                issues.append(ConfigurationIssue(
                    file: file, line: mark.line, column: mark.column, option: key,
                    message: "given more than once; each key may appear only once in a mapping"))
            }
        case .reader(let problem, let offset, _, _):
            issues.append(ConfigurationIssue(file: file, option: "", message: "\(problem)\(offset.map { " at character \($0)" } ?? "")"))
        default:
            issues.append(ConfigurationIssue(file: file, option: "", message: "\(error)"))
        }
    }

    /// Yams reports a repeated key at the start of its mapping; point at the repetition
    /// instead: the second line, from the mapping on, that starts with `key:` at the mapping's
    /// indentation. Nil when the mapping is written inline.
    static func repeatedKey(_ key: String, in text: String, mappingAt mark: Mark) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var seen = 0
        for number in max(mark.line, 1)...max(lines.count, 1) where number <= lines.count {
            let line = lines[number - 1]
            let indent = line.prefix { $0 == " " }.count
            guard indent == mark.column - 1 else { continue }
            let rest = line.dropFirst(indent)
            guard rest.hasPrefix(key) else { continue }
            let after = rest.dropFirst(key.count).drop { $0 == " " }
            guard after.first == ":" else { continue }
            seen += 1
            if seen == 2 { return (number, indent + 1) }
        }
        return nil
    }
}
