import Foundation
import Yams

/// Reads a YAML file into Yams' node tree and collects mistakes at their line and column:
/// the shared part of the taxonomy and holiday readers.
struct YAMLFileReader {
    let file: String
    private(set) var issues: [TaxonomyError.Issue] = []

    init(file: String) {
        self.file = file
    }

    /// Reads the file's text, or records why it could not.
    mutating func text() -> String? {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            guard let text = String(data: data, encoding: .utf8) else {
                issues.append(.init(file: file, option: "", message: "not valid UTF-8; save the file as UTF-8"))
                return nil
            }
            return text
        } catch {
            issues.append(.init(file: file, option: "", message: "cannot be read: \(error.localizedDescription)"))
            return nil
        }
    }

    /// The top-level mapping, or nil with the syntax error recorded.
    mutating func compose(_ text: String) -> [(key: Node, value: Node)]? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            report(error)
            return nil
        } catch {
            issues.append(.init(file: file, option: "", message: "\(error)"))
            return nil
        }
        guard let root, case .mapping(let top) = root else {
            add(root, "", "expected a mapping at the top of the file")
            return nil
        }
        return Array(top)
    }

    mutating func add(_ node: Node?, _ option: String, _ message: String) {
        issues.append(.init(file: file, line: node?.mark?.line, column: node?.mark?.column, option: option, message: message))
    }

    /// A scalar's text, or nil with a mistake recorded.
    mutating func string(_ node: Node, _ option: String) -> String? {
        guard let scalar = node.scalar else {
            add(node, option, "expected a single value")
            return nil
        }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else {
            add(node, option, "is empty")
            return nil
        }
        return text
    }

    /// A whole number within `range`, or nil with a mistake recorded.
    mutating func integer(_ node: Node, _ option: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = node.scalar?.string, let value = Int(text) else {
            add(node, option, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        guard range.contains(value) else {
            add(node, option, "\(value) is out of range; expected \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// A sequence's items, or nil with a mistake recorded.
    mutating func sequence(_ node: Node, _ option: String, example: String) -> [Node]? {
        guard case .sequence(let items) = node else {
            add(node, option, "expected a list, e.g. \(example)")
            return nil
        }
        return Array(items)
    }

    private mutating func report(_ error: YamlError) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let message = [problem, context.map { "(\($0.text) at line \($0.mark.line))" }].compactMap { $0 }.joined(separator: " ")
            issues.append(.init(file: file, line: mark.line, column: mark.column, option: "", message: message))
        case .duplicatedKeysInMapping(let duplicates, let context):
            for key in duplicates {
                issues.append(.init(
                    file: file, line: context.mark.line, column: context.mark.column, option: key,
                    message: "given more than once in the mapping that starts here; each key may appear only once"))
            }
        default:
            issues.append(.init(file: file, option: "", message: "\(error)"))
        }
    }
}
