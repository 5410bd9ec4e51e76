import Foundation
import IntakeStore
#if canImport(Glibc)
import Glibc
#endif

/// A report for operators beside an archived file (`NAME.errors.csv`, `NAME.result.csv`): CSV
/// in UTF-8 with a BOM so that Excel on a Chinese Windows opens it as UTF-8, its header row in
/// the operator's language. Created at the first line added; written as it goes.
struct CSVReport {
    let url: URL
    let columns: [String]
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    init(url: URL, columns: [String]) {
        self.url = url
        self.columns = columns
    }

    /// One line; text that came from the export should go through `inert` first.
    mutating func add(_ fields: [String]) throws {
        if fd < 0 {
            fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640)
            guard fd >= 0 else { throw DurableFile.Failure(operation: "open", path: url.path, code: errno) }
            buffer = [0xEF, 0xBB, 0xBF]
            append(columns)
        }
        append(fields)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes the rest and makes the report durable; the report's URL, or nil when nothing was added.
    mutating func finish() throws -> URL? {
        guard fd >= 0 else { return nil }
        try flush()
        guard fsync(fd) == 0 else { throw DurableFile.Failure(operation: "fsync", path: url.path, code: errno) }
        close(fd)
        fd = -1
        return url
    }

    /// Closes a report that was not finished (the file failed); what was written stays.
    mutating func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private mutating func flush() throws {
        try buffer.withUnsafeBytes { try DurableFile.writeAll(fd, $0, path: url.path) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// The row as text Excel shows and does not evaluate: a cell starting with = + - @ would
    /// be read as a formula (and `="0123"` guards start most exported rows), so it gets a `'`.
    static func inert(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    private static func needsQuoting(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D
    }

    /// One CSV record (RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled), CRLF-terminated as Excel writes.
    private mutating func append(_ fields: [String]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            let bytes = Array(field.utf8)
            let needsQuotes = bytes.contains(where: Self.needsQuoting)
            if needsQuotes {
                buffer.append(UInt8(ascii: "\""))
                for byte in bytes {
                    if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                    buffer.append(byte)
                }
                buffer.append(UInt8(ascii: "\""))
            } else {
                buffer.append(contentsOf: bytes)
            }
        }
        buffer.append(contentsOf: [0x0D, 0x0A])
    }
}
