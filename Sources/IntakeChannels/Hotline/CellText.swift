/// Trimming for CSV cells, on UTF-8 bytes: it runs on every cell of every import, and most
/// cells need nothing, so the common case returns the string itself.
enum CellText {
    /// `text` without leading and trailing whitespace: ASCII whitespace, no-break space,
    /// the ideographic space U+3000 and a byte-order mark.
    static func trimmed(_ text: String) -> String {
        var text = text
        if let result = text.utf8.withContiguousStorageIfAvailable({ trimmedBounds($0) }) {
            return slice(text, result)
        }
        text.makeContiguousUTF8()
        return slice(text, text.utf8.withContiguousStorageIfAvailable { trimmedBounds($0) }!)
    }

    private static func slice(_ text: String, _ bounds: (start: Int, end: Int, count: Int)) -> String {
        if bounds.start == 0, bounds.end == bounds.count { return text }
        if bounds.start >= bounds.end { return "" }
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: bounds.start)
        let end = utf8.index(utf8.startIndex, offsetBy: bounds.end)
        return String(text[start..<end])
    }

    private static func trimmedBounds(_ bytes: UnsafeBufferPointer<UInt8>) -> (start: Int, end: Int, count: Int) {
        var start = 0
        var end = bytes.count
        while start < end {
            let length = leadingSpace(bytes, start, end)
            if length == 0 { break }
            start += length
        }
        while end > start {
            let length = trailingSpace(bytes, start, end)
            if length == 0 { break }
            end -= length
        }
        return (start, end, bytes.count)
    }

    private static func leadingSpace(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ end: Int) -> Int {
        let byte = bytes[index]
        if byte == 0x20 || (0x09...0x0D).contains(byte) { return 1 }
        if byte == 0xC2, index + 1 < end, bytes[index + 1] == 0xA0 { return 2 }
        if byte == 0xE3, index + 2 < end, bytes[index + 1] == 0x80, bytes[index + 2] == 0x80 { return 3 }
        if byte == 0xEF, index + 2 < end, bytes[index + 1] == 0xBB, bytes[index + 2] == 0xBF { return 3 }
        return 0
    }

    private static func trailingSpace(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        let byte = bytes[end - 1]
        if byte == 0x20 || (0x09...0x0D).contains(byte) { return 1 }
        if byte == 0xA0, end - 2 >= start, bytes[end - 2] == 0xC2 { return 2 }
        if byte == 0x80, end - 3 >= start, bytes[end - 3] == 0xE3, bytes[end - 2] == 0x80 { return 3 }
        if byte == 0xBF, end - 3 >= start, bytes[end - 3] == 0xEF, bytes[end - 2] == 0xBB { return 3 }
        return 0
    }
}
