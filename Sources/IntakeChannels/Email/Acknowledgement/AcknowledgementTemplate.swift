import Foundation
import IntakeCore

/// The acknowledgement's words, from a file in `channels/` that operators edit: a `Subject:`
/// line, a blank line, the body. `#` lines before the subject are comments. Placeholders:
/// `{case_token}`, `{case_id}`, `{subject}`, `{received_at}`, `{requester_name}`.
///
/// Whatever the template's subject says, the mail's subject starts with `[案件 <token>]`: a
/// reply to it must thread to the case.
public struct AcknowledgementTemplate: Sendable, Hashable {
    public var subject: String
    public var body: String

    public static let placeholders: Set<String> = ["case_token", "case_id", "subject", "received_at", "requester_name"]
    /// Larger template files are refused: a template is a few lines.
    public static let maxBytes = 16 << 10

    /// A template that cannot be used: its line and what is wrong.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    public init(subject: String, body: String) {
        self.subject = subject
        self.body = body
    }

    public static func load(path: String) throws(Problem) -> AcknowledgementTemplate {
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(file: path, line: 0, message: "cannot read the template") }
        guard data.count <= maxBytes else { throw Problem(file: path, line: 0, message: "larger than \(maxBytes) bytes") }
        guard let text = String(data: data, encoding: .utf8) else { throw Problem(file: path, line: 0, message: "not UTF-8") }
        return try parse(text, file: path)
    }

    /// Reads a template's text; `file` names it in problems.
    public static func parse(_ text: String, file: String) throws(Problem) -> AcknowledgementTemplate {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var index = 0
        while index < lines.count, lines[index].hasPrefix("#") || lines[index].trimmingCharacters(in: .whitespaces).isEmpty { index += 1 }
        guard index < lines.count, lines[index].lowercased().hasPrefix("subject:") else {
            throw Problem(file: file, line: index + 1, message: "expected a \"Subject:\" line, then a blank line and the body")
        }
        let subject = lines[index].dropFirst("subject:".count).trimmingCharacters(in: .whitespaces)
        let subjectLine = index + 1
        index += 1
        guard index < lines.count, lines[index].trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Problem(file: file, line: index + 1, message: "expected a blank line after the subject")
        }
        let bodyStart = index + 2
        let body = lines[(index + 1)...].joined(separator: "\n").trimmingCharacters(in: .newlines)
        guard !body.isEmpty else { throw Problem(file: file, line: bodyStart, message: "the body is empty") }
        for (offset, line) in [(subjectLine, subject)] + lines[(index + 1)...].enumerated().map({ (bodyStart + $0.offset, String($0.element)) }) {
            for name in names(in: line) where !placeholders.contains(name) {
                throw Problem(
                    file: file, line: offset,
                    message: "unknown placeholder {\(name)}; known: \(placeholders.sorted().map { "{\($0)}" }.joined(separator: ", "))")
            }
        }
        return AcknowledgementTemplate(subject: subject, body: body)
    }

    /// The subject and body for one case. Values are inserted as text; the subject is made one
    /// header-safe line by the mail.
    public func render(values: [String: String], caseID: String) -> (subject: String, body: String) {
        // One pass over the template: a value that itself reads "{case_id}" stays as it is.
        func fill(_ text: String) -> String {
            var out = ""
            var rest = Substring(text)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                out += rest[..<open]
                let name = String(rest[rest.index(after: open)..<close])
                out += values[name] ?? String(rest[open...close])
                rest = rest[rest.index(after: close)...]
            }
            return out + rest
        }
        let subject = EmailTriage.tokenSubject(caseID: caseID, subject: fill(subject))
        return (subject, fill(body))
    }

    private static func names(in line: String) -> [String] {
        var names: [String] = []
        var rest = Substring(line)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
