/// Splits a multipart body at its boundary lines (RFC 2046 §5.1.1).
///
/// A delimiter is "--boundary" at the start of a line, optionally followed by "--" (the
/// close) and whitespace, and nothing else: so a nested boundary that merely starts with
/// this one is not taken for it. The line break before a delimiter belongs to it.
enum MultipartSplitter {
    static func split(_ bytes: [UInt8], _ range: Range<Int>, boundary: [UInt8]) -> (parts: [Range<Int>], closed: Bool) {
        let delimiter = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        var parts: [Range<Int>] = []
        var partStart: Int?
        var lineStart = range.lowerBound
        let end = range.upperBound
        return bytes.withUnsafeBufferPointer { buffer in
            while lineStart < end {
                var lineEnd = lineStart
                while lineEnd < end, buffer[lineEnd] != 0x0A { lineEnd += 1 }
                if lineEnd - lineStart >= delimiter.count, buffer[lineStart] == 0x2D, buffer[lineStart + 1] == 0x2D,
                   matches(buffer, at: lineStart, delimiter) {
                    var cursor = lineStart + delimiter.count
                    var closing = false
                    if cursor + 1 < lineEnd, buffer[cursor] == 0x2D, buffer[cursor + 1] == 0x2D {
                        closing = true
                        cursor += 2
                    }
                    var onlySpace = true
                    while cursor < lineEnd {
                        let byte = buffer[cursor]
                        if byte != 0x20 && byte != 0x09 && byte != 0x0D { onlySpace = false; break }
                        cursor += 1
                    }
                    if onlySpace {
                        if let start = partStart {
                            var partEnd = lineStart
                            if partEnd > start, buffer[partEnd - 1] == 0x0A { partEnd -= 1 }
                            if partEnd > start, buffer[partEnd - 1] == 0x0D { partEnd -= 1 }
                            parts.append(start..<max(start, partEnd))
                        }
                        if closing { return (parts, true) }
                        partStart = lineEnd < end ? lineEnd + 1 : end
                    }
                }
                lineStart = lineEnd + 1
            }
            if let start = partStart { parts.append(start..<max(start, end)) }
            return (parts, false)
        }
    }

    private static func matches(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int, _ pattern: [UInt8]) -> Bool {
        for offset in 0..<pattern.count where buffer[start + offset] != pattern[offset] {
            return false
        }
        return true
    }
}
