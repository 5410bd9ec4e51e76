/// The first mailbox of an address header (From), as display name and address.
struct MailAddress {
    var name: String?
    var address: String?

    /// Reads `"Name" <addr>`, `=?…?= <addr>`, `addr (Name)` and a bare `addr`; the name's
    /// encoded words are decoded after the address is found, so a decoded "<" cannot confuse it.
    init(_ raw: String) {
        var text = raw.trimmingWhitespace()
        // Only the first mailbox of a list.
        if let comma = Self.firstUnquoted(",", in: text), !(text[..<comma].contains("<") && !text[..<comma].contains(">")) {
            text = String(text[..<comma])
        }
        if let open = text.lastIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            let address = text[text.index(after: open)..<close].trimmingWhitespace()
            self.address = address.isEmpty ? nil : address.lowercased()
            self.name = Self.displayName(String(text[..<open]))
            return
        }
        if let open = text.firstIndex(of: "("), let close = text[open...].lastIndex(of: ")") {
            self.name = Self.displayName(String(text[text.index(after: open)..<close]))
            text.removeSubrange(open...close)
        }
        let address = text.trimmingWhitespace()
        self.address = address.isEmpty ? nil : address.lowercased()
    }

    private static func displayName(_ raw: String) -> String? {
        var text = raw.trimmingWhitespace()
        if text.count >= 2, text.first == "\"", text.last == "\"" {
            text = String(text.dropFirst().dropLast()).replacingBackslashEscapes()
        } else if text.count >= 2, text.first == "'", text.last == "'" {
            text = String(text.dropFirst().dropLast())
        }
        let name = EncodedWords.decode(text).text.trimmingWhitespace()
        return name.isEmpty ? nil : name
    }

    private static func firstUnquoted(_ target: Character, in text: String) -> String.Index? {
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\\" {
                index = text.index(after: index)
                if index < text.endIndex { index = text.index(after: index) }
                continue
            }
            if character == "\"" { quoted.toggle() }
            if character == target, !quoted { return index }
            index = text.index(after: index)
        }
        return nil
    }

    /// The message ids in a Message-ID, In-Reply-To or References value, without `< >`.
    static func messageIDs(_ raw: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(raw)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let id = rest[rest.index(after: open)..<close].filter { !$0.isWhitespace }
            if !id.isEmpty { ids.append(String(id)) }
            rest = rest[rest.index(after: close)...]
        }
        if ids.isEmpty {
            // Bare ids, as some clients write them.
            ids = raw.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init).filter { $0.contains("@") }
        }
        return ids
    }
}

extension String {
    fileprivate func replacingBackslashEscapes() -> String {
        var output = ""
        var escaped = false
        for character in self {
            if escaped || character != "\\" {
                output.append(character)
                escaped = false
            } else {
                escaped = true
            }
        }
        return output
    }
}
