/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header values.
///
/// Adjacent words are joined and the whitespace between them dropped; consecutive words in
/// the same charset are decoded together, so a character whose bytes a client split across
/// two words comes out whole. Words glued to other text are decoded too, as mail clients do.
enum EncodedWords {
    struct Word {
        var charset: String
        var bytes: [UInt8]
        var end: Int
    }

    static func decode(_ value: String) -> (text: String, problems: [String]) {
        let bytes = Array(value.utf8)
        guard bytes.count > 1, containsMarker(bytes) else { return (value, []) }
        var output = ""
        var problems: [String] = []
        var pendingCharset: String?
        var pendingBytes: [UInt8] = []
        var literalStart = 0
        var afterWord = false
        var index = 0

        func flush() {
            guard let charset = pendingCharset else { return }
            let decoded = MIMECharset.decode(pendingBytes[...], charset: charset)
            output += decoded.text
            if let problem = decoded.problem { problems.append("encoded word: \(problem)") }
            pendingCharset = nil
            pendingBytes = []
        }

        while index + 1 < bytes.count {
            guard bytes[index] == UInt8(ascii: "="), bytes[index + 1] == UInt8(ascii: "?"), let word = parseWord(bytes, at: index) else {
                index += 1
                continue
            }
            let literal = bytes[literalStart..<index]
            let blank = literal.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
            if !(afterWord && blank) {
                flush()
                output += String(decoding: literal, as: UTF8.self)
            }
            if let charset = pendingCharset, !charset.caseInsensitiveEquals(word.charset) { flush() }
            pendingCharset = word.charset
            pendingBytes += word.bytes
            afterWord = true
            index = word.end
            literalStart = index
        }
        flush()
        output += String(decoding: bytes[literalStart...], as: UTF8.self)
        return (output, problems)
    }

    private static func containsMarker(_ bytes: [UInt8]) -> Bool {
        for index in 0..<(bytes.count - 1) where bytes[index] == UInt8(ascii: "=") && bytes[index + 1] == UInt8(ascii: "?") {
            return true
        }
        return false
    }

    /// The word starting at `start` ("=?"), or nil when the bytes there are not one.
    static func parseWord(_ bytes: [UInt8], at start: Int) -> Word? {
        let count = bytes.count
        var index = start + 2
        let charsetStart = index
        while index < count, bytes[index] != UInt8(ascii: "?"), bytes[index] > 0x20, bytes[index] < 0x7F, index - charsetStart < 64 { index += 1 }
        guard index < count, bytes[index] == UInt8(ascii: "?"), index > charsetStart else { return nil }
        var charsetBytes = bytes[charsetStart..<index]
        // RFC 2231 §5: "charset*language".
        if let star = charsetBytes.firstIndex(of: UInt8(ascii: "*")) { charsetBytes = charsetBytes[..<star] }
        guard !charsetBytes.isEmpty, index + 2 < count, bytes[index + 2] == UInt8(ascii: "?") else { return nil }
        let encoding = bytes[index + 1] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        let textStart = index + 3
        var textEnd = textStart
        while textEnd < count, bytes[textEnd] != UInt8(ascii: "?"), bytes[textEnd] > 0x20, bytes[textEnd] < 0x7F { textEnd += 1 }
        guard textEnd + 1 < count, bytes[textEnd] == UInt8(ascii: "?"), bytes[textEnd + 1] == UInt8(ascii: "=") else { return nil }
        let text = bytes[textStart..<textEnd]
        let decoded = encoding == UInt8(ascii: "b") ? TransferDecoding.base64(text, keeping: true).bytes : qDecode(text)
        return Word(charset: String(decoding: charsetBytes, as: UTF8.self), bytes: decoded, end: textEnd + 2)
    }

    static func qDecode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "_") {
                output.append(0x20)
            } else if byte == UInt8(ascii: "="), index + 2 < text.endIndex,
                      let high = TransferDecoding.hexValue(text[index + 1]), let low = TransferDecoding.hexValue(text[index + 2]) {
                output.append(high << 4 | low)
                index += 3
                continue
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    /// Whether a header value so far ends inside an encoded word that has not been closed:
    /// its continuation line then joins without the folding whitespace.
    static func endsInsideWord(_ value: [UInt8]) -> Bool {
        guard value.count >= 2 else { return false }
        var index = value.count - 2
        // A word is at most 75 characters (RFC 2047 §2); looking further back would make a
        // header of many short continuation lines quadratic.
        let floor = max(0, value.count - 512)
        while index >= floor {
            if value[index] == UInt8(ascii: "="), value[index + 1] == UInt8(ascii: "?") { break }
            index -= 1
        }
        guard index >= floor else { return false }
        // "=?" charset "?" encoding "?" text — and no "?" closing the text.
        var cursor = index + 2
        let charsetStart = cursor
        while cursor < value.count, value[cursor] != UInt8(ascii: "?"), value[cursor] > 0x20 { cursor += 1 }
        guard cursor > charsetStart, cursor < value.count, value[cursor] == UInt8(ascii: "?") else { return false }
        guard cursor + 2 < value.count, value[cursor + 2] == UInt8(ascii: "?") else { return false }
        let encoding = value[cursor + 1] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return false }
        let text = value[(cursor + 3)...]
        return !text.contains(UInt8(ascii: "?")) && !text.contains(0x20) && !text.contains(0x09)
    }
}
