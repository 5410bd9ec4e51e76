/// A structured header value such as Content-Type or Content-Disposition: the value
/// before the first ";" and its parameters, RFC 2231 sections and charsets resolved.
struct MIMEParameters {
    /// Lower-cased, e.g. "text/plain" or "attachment".
    var value: String
    /// Parameter names lower-cased; values decoded.
    var parameters: [String: String]
    var problems: [String] = []

    subscript(_ name: String) -> String? { parameters[name] }

    init(_ raw: String) {
        let scalars = Array(raw.unicodeScalars)
        var index = 0
        var head = ""
        while index < scalars.count, scalars[index] != ";" {
            if scalars[index] == "(" {
                Self.skipComment(scalars, &index)
                continue
            }
            if !(scalars[index] == " " || scalars[index] == "\t" || scalars[index] == "\"") { head.unicodeScalars.append(scalars[index]) }
            index += 1
        }
        value = head.lowercased()
        parameters = [:]

        // Sections of RFC 2231 values, by name: number → (encoded, text).
        var sections: [String: [Int: (encoded: Bool, text: String)]] = [:]
        var plain: [String: String] = [:]
        while index < scalars.count {
            // At a ";" (or junk): skip to the next name.
            index += 1
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" || scalars[index] == ";" { index += 1 }
            var name = ""
            while index < scalars.count, scalars[index] != "=", scalars[index] != ";" {
                if scalars[index] != " " && scalars[index] != "\t" { name.unicodeScalars.append(scalars[index]) }
                index += 1
            }
            guard index < scalars.count, scalars[index] == "=" else { continue }
            index += 1
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
            var text = ""
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                // Skip to the next ";" past the closing quote.
                while index < scalars.count, scalars[index] != ";" { index += 1 }
            } else {
                // Unquoted: up to ";" — spaces kept, since clients leave names with spaces unquoted.
                while index < scalars.count, scalars[index] != ";" {
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                text = text.trimmingWhitespace()
            }
            name = name.lowercased()
            guard !name.isEmpty else { continue }
            if let star = name.firstIndex(of: "*") {
                let base = String(name[..<star])
                let rest = name[name.index(after: star)...]
                let encoded = rest.hasSuffix("*") || rest.isEmpty
                let number = rest.isEmpty ? 0 : Int(rest.hasSuffix("*") ? rest.dropLast() : rest)
                guard let number, number >= 0, number < 1000 else { continue }
                if sections[base, default: [:]][number] == nil {
                    sections[base, default: [:]][number] = (encoded, text)
                }
            } else if plain[name] == nil {
                plain[name] = text
            }
        }
        for (name, text) in plain {
            let decoded = EncodedWords.decode(text)
            parameters[name] = decoded.text
            problems += decoded.problems
        }
        for (name, parts) in sections {
            // RFC 2231 wins over a plain parameter of the same name.
            let (text, problem) = Self.joinSections(parts)
            parameters[name] = text
            if let problem { problems.append("parameter \(MIMECharset.printable(name))*: \(problem)") }
        }
    }

    /// Joins `name*0*=`, `name*1*=`… in order; the charset comes from the first section.
    private static func joinSections(_ parts: [Int: (encoded: Bool, text: String)]) -> (String, String?) {
        var charset: String?
        var bytes: [UInt8] = []
        for number in parts.keys.sorted() {
            guard let part = parts[number] else { continue }
            var text = Substring(part.text)
            if part.encoded, number == parts.keys.min() {
                // charset'language'value
                let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if pieces.count == 3 {
                    charset = pieces[0].isEmpty ? nil : String(pieces[0])
                    text = pieces[2]
                }
            }
            if part.encoded {
                bytes += percentDecode(Array(text.utf8))
            } else {
                bytes += Array(text.utf8)
            }
        }
        let decoded = MIMECharset.decode(bytes[...], charset: charset)
        return (decoded.text, decoded.problem)
    }

    static func percentDecode(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index] == UInt8(ascii: "%"), index + 2 < text.count,
               let high = TransferDecoding.hexValue(text[index + 1]), let low = TransferDecoding.hexValue(text[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(text[index])
                index += 1
            }
        }
        return output
    }

    private static func skipComment(_ scalars: [Unicode.Scalar], _ index: inout Int) {
        var depth = 0
        while index < scalars.count {
            switch scalars[index] {
            case "(": depth += 1
            case ")": depth -= 1
            case "\\": index += 1
            default: break
            }
            index += 1
            if depth == 0 { return }
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
