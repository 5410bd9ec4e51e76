/// HTML turned into text for people: block elements become line breaks, entities are
/// decoded, script, style and comments dropped, whitespace collapsed as a browser would.
enum HTMLText {
    static let blockElements: Set<String> = [
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
        "ul", "ol", "hr", "section", "article", "header", "footer", "address", "dl", "dt", "dd", "form",
        "fieldset", "figure", "main", "nav", "aside", "title", "body", "html", "tbody", "thead",
    ]
    static let droppedElements: Set<String> = ["script", "style", "head", "template", "noscript", "xml"]

    static func text(_ html: String) -> String {
        let scalars = Array(html.unicodeScalars)
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var pendingSpace = false
        var preformatted = 0
        var index = 0
        let count = scalars.count

        func breakLine() {
            // Trailing spaces go; at most one empty line in a row.
            while output.last == " " { output.removeLast() }
            var newlines = 0
            var probe = output.count - 1
            while probe >= 0, output[probe] == "\n" {
                newlines += 1
                probe -= 1
            }
            if !output.isEmpty, newlines < 2 { output.append("\n") }
            pendingSpace = false
        }
        func emit(_ scalar: Unicode.Scalar) {
            if preformatted > 0 {
                output.append(scalar)
                return
            }
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" {
                pendingSpace = true
                return
            }
            if pendingSpace, let last = output.last, last != "\n" { output.append(" ") }
            pendingSpace = false
            output.append(scalar)
        }

        while index < count {
            let scalar = scalars[index]
            if scalar == "<" {
                if matches(scalars, index, "<!--") {
                    index = find(scalars, from: index + 4, "-->").map { $0 + 3 } ?? count
                    continue
                }
                guard let tag = readTag(scalars, from: index) else {
                    emit(scalar)
                    index += 1
                    continue
                }
                index = tag.end
                if droppedElements.contains(tag.name), !tag.closing, !tag.selfClosing {
                    index = find(scalars, from: index, "</" + tag.name, caseInsensitive: true)
                        .map { position in find(scalars, from: position, ">").map { $0 + 1 } ?? count } ?? count
                    continue
                }
                if tag.name == "pre" { preformatted = max(0, preformatted + (tag.closing ? -1 : 1)) }
                if tag.name == "br" {
                    while output.last == " " { output.removeLast() }
                    output.append("\n")
                    pendingSpace = false
                } else if blockElements.contains(tag.name) {
                    breakLine()
                } else if tag.name == "td" || tag.name == "th", !tag.closing {
                    pendingSpace = true
                }
                continue
            }
            if scalar == "&", let entity = readEntity(scalars, from: index) {
                for decoded in entity.scalars {
                    // An entity's space is a real space (&nbsp; included).
                    if decoded == "\u{A0}" { emit(" ") } else { emit(decoded) }
                }
                index = entity.end
                continue
            }
            emit(scalar)
            index += 1
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: output)
        while text.last == "\n" || text.last == " " { text.removeLast() }
        // At once: removing the first character a thousand times moves the rest a thousand times.
        text.removeSubrange(..<(text.firstIndex { $0 != "\n" } ?? text.endIndex))
        return text
    }

    private struct Tag {
        var name: String
        var closing: Bool
        var selfClosing: Bool
        var end: Int
    }

    private static func readTag(_ scalars: [Unicode.Scalar], from start: Int) -> Tag? {
        var index = start + 1
        var closing = false
        if index < scalars.count, scalars[index] == "/" {
            closing = true
            index += 1
        }
        if index < scalars.count, scalars[index] == "!" || scalars[index] == "?" {
            // Doctype, CDATA, processing instruction: skip whole.
            guard let end = find(scalars, from: index, ">") else { return nil }
            return Tag(name: "!", closing: false, selfClosing: true, end: end + 1)
        }
        guard index < scalars.count, isASCIILetter(scalars[index]) else { return nil }
        var name = ""
        while index < scalars.count, isASCIILetter(scalars[index]) || ("0"..."9").contains(scalars[index]) || scalars[index] == ":" {
            name.unicodeScalars.append(scalars[index])
            index += 1
        }
        guard !name.isEmpty else { return nil }
        // Attributes may hold ">" inside quotes.
        var quote: Unicode.Scalar?
        while index < scalars.count {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == ">" {
                let selfClosing = index > start && scalars[index - 1] == "/"
                return Tag(name: name.lowercased(), closing: closing, selfClosing: selfClosing, end: index + 1)
            }
            index += 1
        }
        return Tag(name: name.lowercased(), closing: closing, selfClosing: false, end: scalars.count)
    }

    static let namedEntities: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
        "copy": "©", "reg": "®", "trade": "™", "mdash": "—", "ndash": "–", "hellip": "…",
        "ldquo": "“", "rdquo": "”", "lsquo": "‘", "rsquo": "’", "middot": "·", "bull": "•",
        "yen": "¥", "times": "×", "divide": "÷", "deg": "°", "plusmn": "±", "sect": "§",
        "emsp": "\u{2003}", "ensp": "\u{2002}", "thinsp": "\u{2009}", "laquo": "«", "raquo": "»",
    ]

    private static func readEntity(_ scalars: [Unicode.Scalar], from start: Int) -> (scalars: [Unicode.Scalar], end: Int)? {
        var index = start + 1
        var name = ""
        while index < scalars.count, index - start < 12, scalars[index] != ";", scalars[index].isASCII,
              isASCIILetter(scalars[index]) || ("0"..."9").contains(scalars[index]) || scalars[index] == "#" {
            name.unicodeScalars.append(scalars[index])
            index += 1
        }
        let terminated = index < scalars.count && scalars[index] == ";"
        let end = terminated ? index + 1 : index
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let value else { return nil }
            return ([Unicode.Scalar(value) ?? "\u{FFFD}"], end)
        }
        guard terminated || name == "nbsp" || name == "amp" || name == "lt" || name == "gt", let scalar = namedEntities[name.lowercased()] ?? namedEntities[name] else {
            return nil
        }
        return ([scalar], end)
    }

    private static func matches(_ scalars: [Unicode.Scalar], _ index: Int, _ literal: String) -> Bool {
        var position = index
        for scalar in literal.unicodeScalars {
            guard position < scalars.count, scalars[position] == scalar else { return false }
            position += 1
        }
        return true
    }

    private static func find(_ scalars: [Unicode.Scalar], from start: Int, _ literal: String, caseInsensitive: Bool = false) -> Int? {
        let pattern = Array((caseInsensitive ? literal.lowercased() : literal).unicodeScalars)
        guard let first = pattern.first, start <= scalars.count - pattern.count else { return nil }
        var index = start
        while index <= scalars.count - pattern.count {
            let scalar = caseInsensitive ? lower(scalars[index]) : scalars[index]
            if scalar == first {
                var matched = true
                for offset in 1..<pattern.count {
                    let candidate = caseInsensitive ? lower(scalars[index + offset]) : scalars[index + offset]
                    if candidate != pattern[offset] { matched = false; break }
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func lower(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
    }
}
