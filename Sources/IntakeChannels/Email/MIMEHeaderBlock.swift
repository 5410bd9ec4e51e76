/// The header block at the start of a message or part, split from its body.
///
/// Values are unfolded but not yet RFC 2047 decoded: structured headers (Content-Type,
/// From) are parsed first and their words decoded piece by piece.
struct MIMEHeaderBlock {
    struct Field {
        var name: String
        var rawValue: String
    }

    var fields: [Field] = []
    /// Index of the first body byte in the buffer the block was read from.
    var bodyStart: Int
    /// Index just past the last body byte: the end of the part's range.
    var bodyEnd: Int
    var problems: [String] = []

    static let maxFields = 1000
    static let maxBytes = 256 << 10

    func value(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.rawValue
    }

    func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.rawValue)
    }

    /// Reads header lines up to the first empty line; a line that is neither a header nor a
    /// continuation ends the block (its bytes belong to the body).
    init(_ bytes: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        let end = bytes.endIndex
        var name: [UInt8] = []
        var value: [UInt8] = []
        var open = false
        var headerBytes = 0
        var overflow = false
        bodyStart = end
        bodyEnd = end

        func close(_ block: inout MIMEHeaderBlock) {
            guard open else { return }
            open = false
            guard !overflow else { return }
            let nameText = String(decoding: name, as: UTF8.self)
            var valueBytes = value.drop { $0 == 0x20 || $0 == 0x09 }
            while let last = valueBytes.last, last == 0x20 || last == 0x09 { valueBytes.removeLast() }
            let decoded: String
            if let text = MIMECharset.strictUTF8(valueBytes) {
                decoded = text
            } else {
                let converted = MIMECharset.decode(valueBytes, charset: nil)
                decoded = converted.text
                block.problems.append("header \(MIMECharset.printable(nameText)): \(converted.problem ?? "8-bit bytes")")
            }
            block.fields.append(Field(name: nameText, rawValue: decoded))
        }

        var first = true
        while index < end {
            var lineEnd = index
            while lineEnd < end, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd < end ? lineEnd + 1 : end
            var contentEnd = lineEnd
            if contentEnd > index, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let line = bytes[index..<contentEnd]
            defer { first = false }
            if line.isEmpty {
                close(&self)
                bodyStart = next
                return
            }
            headerBytes += next - index
            if headerBytes > Self.maxBytes, !overflow {
                overflow = true
                problems.append("header block over \(Self.maxBytes) bytes, the rest ignored")
            }
            if line.first == 0x20 || line.first == 0x09, open {
                // Unfolding keeps the whitespace, except inside an encoded word that a
                // client broke across lines.
                if !overflow {
                    if EncodedWords.endsInsideWord(value) {
                        value.append(contentsOf: line.drop { $0 == 0x20 || $0 == 0x09 })
                    } else {
                        value.append(contentsOf: line)
                    }
                }
                index = next
                continue
            }
            if let colon = line.firstIndex(of: UInt8(ascii: ":")), Self.isFieldName(line[line.startIndex..<colon]) {
                close(&self)
                if fields.count >= Self.maxFields, !overflow {
                    overflow = true
                    problems.append("more than \(Self.maxFields) header fields, the rest ignored")
                }
                name = Array(line[line.startIndex..<colon])
                while let last = name.last, last == 0x20 || last == 0x09 { name.removeLast() }
                value = Array(line[(colon + 1)...].drop { $0 == 0x20 || $0 == 0x09 })
                open = true
                index = next
                continue
            }
            if first, line.starts(with: "From ".utf8) {
                // An mbox separator line before the headers.
                index = next
                continue
            }
            close(&self)
            if !fields.isEmpty || !first {
                problems.append("header block ended by a line that is not a header")
            }
            bodyStart = index
            return
        }
        close(&self)
        if !fields.isEmpty { problems.append("no body (the header block is not ended by an empty line)") }
        bodyStart = end
    }

    private static func isFieldName(_ name: ArraySlice<UInt8>) -> Bool {
        var trimmed = name
        while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed.removeLast() }
        return !trimmed.isEmpty && trimmed.count <= 200 && trimmed.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let left = utf8, right = other.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
        }
    }
}
