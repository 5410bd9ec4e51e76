import Glibc
import IntakeCore

/// The text encoding of a hotline export, as sniffed from its first 64 KiB.
public enum SourceEncoding: String, Sendable {
    case utf8 = "utf-8", utf8BOM = "utf-8-bom", utf16LE = "utf-16le", utf16BE = "utf-16be", gb18030
}

/// One record of a CSV file, with where it came from.
public struct CSVRecord: Sendable, Hashable {
    public var fields: [String]
    /// 1-based physical line (in the decoded text) where the record starts; embedded newlines in quoted fields make a record span lines.
    public var line: Int
    /// The record's original text as decoded (without its line terminator), for error reports.
    public var text: String

    public init(fields: [String], line: Int, text: String) {
        self.fields = fields
        self.line = line
        self.text = text
    }
}

/// A file that cannot be read as CSV, and the line where the trouble starts (0 when it is the file itself).
public struct CSVError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// Reads the records of a CSV file of any size with flat memory.
///
/// Hotline work orders arrive as Excel exports from Chinese Windows: GB18030 (GBK) or
/// UTF-8, with or without a BOM, sometimes UTF-16, separated by commas, tabs or semicolons.
/// The reader sniffs encoding and delimiter, converts to UTF-8 chunk by chunk and parses
/// RFC 4180 on bytes, leniently: a quote inside an unquoted field is kept as it is.
///
/// Not `Sendable`: one reader belongs to one task.
public final class CSVReader {
    /// The encoding sniffed from the first 64 KiB.
    public let encoding: SourceEncoding
    /// The field separator, given or sniffed.
    public let delimiter: UInt8
    /// The file's size in bytes when it was opened.
    public let fileSize: Int
    /// Bytes of the file consumed so far, for a progress bar.
    public private(set) var bytesRead = 0

    /// Undecodable input replaced with U+FFFD so far.
    public var replacedSequences: Int {
        switch decoder {
        case .utf8(let validator): validator.replacedSequences
        case .converter(let converter): converter.replacedSequences
        }
    }

    private var descriptor: Int32
    private let maxRecordBytes: Int
    private var decoder: Decoder
    private var chunk: [UInt8]
    /// Decoded UTF-8 not yet returned; compacted before each read so only the current record is kept.
    private var text: [UInt8] = []
    private var scanner: RecordScanner
    private var atEndOfFile = false
    /// After an error the file cannot be trusted to line up again, so every later call reports it.
    private var failure: CSVError?
    private var expectedFieldCount = 8

    private static let sampleSize = 1 << 16

    /// Opens the file; sniffs the encoding and (unless given) the delimiter from the first 64 KiB.
    ///
    /// - Parameters:
    ///   - delimiter: the field separator; sniffed among comma, tab and semicolon when nil.
    ///   - maxRecordBytes: the longest record accepted, so that an unterminated quote
    ///     cannot make the reader hold the rest of the file in memory.
    ///   - chunkSize: bytes read from the file at a time.
    public init(path: String, delimiter: UInt8? = nil, maxRecordBytes: Int = 1 << 20, chunkSize: Int = 1 << 16) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CSVError(line: 0, message: "cannot open \(path): \(Self.errorText())") }
        let opening: Opening
        do {
            opening = try Self.inspect(descriptor, path: path, delimiter: delimiter)
        } catch {
            Glibc.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        fileSize = opening.fileSize
        encoding = opening.encoding
        self.delimiter = opening.delimiter
        decoder = opening.decoder
        bytesRead = opening.byteOrderMarkLength
        self.maxRecordBytes = maxRecordBytes
        chunk = [UInt8](repeating: 0, count: max(chunkSize, 1))
        scanner = RecordScanner(delimiter: opening.delimiter)
    }

    /// What the first 64 KiB tell about a file, with the file positioned after any BOM.
    private struct Opening {
        var fileSize: Int
        var encoding: SourceEncoding
        var byteOrderMarkLength: Int
        var delimiter: UInt8
        var decoder: Decoder
    }

    private static func inspect(_ descriptor: Int32, path: String, delimiter: UInt8?) throws -> Opening {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw CSVError(line: 0, message: "cannot inspect \(path): \(errorText())") }
        guard status.st_mode & S_IFMT != S_IFDIR else { throw CSVError(line: 0, message: "cannot read \(path): it is a directory") }
        let fileSize = Int(status.st_size)
        let sample = try readSample(descriptor, path: path)
        let (encoding, byteOrderMarkLength) = sniffEncoding(sample)
        var sniffedDelimiter = delimiter
        if sniffedDelimiter == nil {
            var sampleDecoder = try decoder(for: encoding)
            let sampleText = sampleDecoder.decodeAll(sample.dropFirst(byteOrderMarkLength))
            sniffedDelimiter = sniffDelimiter(sampleText, isCut: sample.count < fileSize)
        }
        // The BOM is not part of the first field: start reading after it.
        guard lseek(descriptor, off_t(byteOrderMarkLength), SEEK_SET) >= 0 else {
            throw CSVError(line: 0, message: "cannot seek in \(path): \(errorText())")
        }
        return Opening(
            fileSize: fileSize, encoding: encoding, byteOrderMarkLength: byteOrderMarkLength,
            delimiter: sniffedDelimiter!, decoder: try decoder(for: encoding)
        )
    }

    deinit {
        close()
    }

    /// Closes the file; `next()` then returns nil.
    public func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    /// The next record, or nil at the end. Blank lines (only whitespace/nothing) are skipped, not returned.
    ///
    /// Throws `CSVError` for a record longer than `maxRecordBytes` or a quote still open at
    /// the end of the file, with the line where the record starts; later calls throw it again.
    public func next() throws -> CSVRecord? {
        if let failure { throw failure }
        guard descriptor >= 0 else { return nil }
        while true {
            let outcome = text.withUnsafeBufferPointer { scanner.scan($0, atEnd: atEndOfFile) }
            switch outcome {
            case .record(let end, let terminatorLength):
                let start = scanner.recordStart
                scanner.recordStart = end + terminatorLength
                if end - start > maxRecordBytes { throw fail(tooLongAt: scanner.recordLine) }
                let record = text.withUnsafeBufferPointer { makeRecord($0, start: start, end: end) }
                scanner.startNextRecord()
                if let record { return record }
            case .needMore:
                if text.count - scanner.recordStart > maxRecordBytes { throw fail(tooLongAt: scanner.recordLine) }
                try refill()
            case .endOfFile:
                return nil
            case .unterminatedQuote:
                let error = CSVError(line: scanner.recordLine, message: "a quoted field starting in this record is never closed")
                failure = error
                throw error
            }
        }
    }

    private func fail(tooLongAt line: Int) -> CSVError {
        let error = CSVError(line: line, message: "record longer than \(maxRecordBytes) bytes; is a quote left open?")
        failure = error
        return error
    }

    /// Drops the bytes already returned and appends the next decoded chunk.
    private func refill() throws {
        if scanner.recordStart > 0 {
            text.removeSubrange(0..<scanner.recordStart)
            scanner.shift(by: scanner.recordStart)
        }
        let count = chunk.withUnsafeMutableBytes { Self.readFully(descriptor, into: $0) }
        guard count >= 0 else {
            let error = CSVError(line: scanner.recordLine, message: "cannot read the file: \(Self.errorText())")
            failure = error
            throw error
        }
        bytesRead += count
        chunk.withUnsafeBytes { decoder.decode(UnsafeRawBufferPointer(rebasing: $0.prefix(count)), into: &text) }
        if count == 0 {
            decoder.finish(into: &text)
            atEndOfFile = true
        }
    }

    /// Builds the record between `start` and `end`, or nil for a blank line.
    private func makeRecord(_ text: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> CSVRecord? {
        let recordBytes = UnsafeBufferPointer(rebasing: text[start..<end])
        if Self.isBlank(recordBytes) { return nil }
        var fields: [String] = []
        fields.reserveCapacity(expectedFieldCount)
        for bounds in scanner.fields {
            fields.append(Self.value(of: bounds, in: text))
        }
        expectedFieldCount = fields.count
        return CSVRecord(fields: fields, line: scanner.recordLine, text: String(decoding: recordBytes, as: UTF8.self))
    }

    private static func value(of bounds: FieldBounds, in text: UnsafeBufferPointer<UInt8>) -> String {
        switch bounds.kind {
        case .plain:
            return string(UnsafeBufferPointer(rebasing: text[bounds.start..<bounds.end]))
        case .quoted:
            return string(UnsafeBufferPointer(rebasing: text[(bounds.start + 1)..<(bounds.end - 1)]))
        case .escaped:
            let value = unescape(UnsafeBufferPointer(rebasing: text[bounds.start..<bounds.end]))
            return value.withUnsafeBufferPointer { string($0) }
        }
    }

    /// The field's text, with Excel's text guard `="0123"` (which keeps leading zeros) removed.
    private static func string(_ value: UnsafeBufferPointer<UInt8>) -> String {
        let equals: UInt8 = 0x3D
        guard value.count >= 3, value[0] == equals, value[1] == quote, value[value.count - 1] == quote else {
            return String(decoding: value, as: UTF8.self)
        }
        let inner = UnsafeBufferPointer(rebasing: value[2..<(value.count - 1)])
        // Inside the formula's string literal a quote is doubled, as in CSV.
        guard inner.contains(quote) else { return String(decoding: inner, as: UTF8.self) }
        var unescaped: [UInt8] = []
        var index = 0
        while index < inner.count {
            unescaped.append(inner[index])
            index += inner[index] == quote && index + 1 < inner.count && inner[index + 1] == quote ? 2 : 1
        }
        return String(decoding: unescaped, as: UTF8.self)
    }

    /// A field that opens with a quote but has doubled quotes or text after the closing quote:
    /// `"a""b"` is `a"b`, and `"a"b` is `ab` (what Excel and Python's csv make of it).
    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var value: [UInt8] = []
        value.reserveCapacity(raw.count)
        var index = 1
        while index < raw.count {
            let byte = raw[index]
            if byte == quote {
                if index + 1 < raw.count, raw[index + 1] == quote {
                    value.append(quote)
                    index += 2
                    continue
                }
                value.append(contentsOf: raw[(index + 1)...])
                break
            }
            value.append(byte)
            index += 1
        }
        return value
    }

    /// Only spaces and tabs (or the ideographic space U+3000 that Chinese input methods type).
    private static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09:
                index += 1
            case 0xE3 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x80:
                index += 3
            default:
                return false
            }
        }
        return true
    }

    private static func readSample(_ descriptor: Int32, path: String) throws -> [UInt8] {
        var sample = [UInt8](repeating: 0, count: sampleSize)
        var count = 0
        while count < sampleSize {
            let result = sample.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + count, sampleSize - count, off_t(count)) }
            if result < 0, errno == EINTR { continue }
            guard result >= 0 else { throw CSVError(line: 0, message: "cannot read \(path): \(errorText())") }
            if result == 0 { break }
            count += result
        }
        sample.removeSubrange(count...)
        return sample
    }

    /// Fills `buffer` unless the file ends first; returns the byte count, or -1 on error.
    private static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var count = 0
        while count < buffer.count {
            let result = read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            if result < 0, errno == EINTR { continue }
            if result < 0 { return -1 }
            if result == 0 { break }
            count += result
        }
        return count
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}

// MARK: - Sniffing

extension CSVReader {
    /// BOM first; then strict UTF-8 over the sample (a sequence cut by the sample's end
    /// is fine); anything else is taken for GB18030, Chinese Excel's "ANSI".
    private static func sniffEncoding(_ sample: [UInt8]) -> (SourceEncoding, byteOrderMarkLength: Int) {
        if sample.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8BOM, 3) }
        if sample.starts(with: [0xFF, 0xFE]) { return (.utf16LE, 2) }
        if sample.starts(with: [0xFE, 0xFF]) { return (.utf16BE, 2) }
        let isUTF8 = sample.withUnsafeBufferPointer { bytes in
            var index = 0
            while index < bytes.count {
                switch UTF8Validator.sequence(at: index, in: bytes) {
                case .valid(let length): index += length
                case .incomplete: return true
                case .invalid: return false
                }
            }
            return true
        }
        return (isUTF8 ? .utf8 : .gb18030, 0)
    }

    /// The candidate that splits the sample's lines into the same number of fields (more
    /// than one); among several, the one giving most fields; comma when none does.
    private static func sniffDelimiter(_ sample: [UInt8], isCut: Bool) -> UInt8 {
        let candidates: [UInt8] = [0x2C, 0x09, 0x3B]
        let maximumLines = 50
        var best: (delimiter: UInt8, fields: Int) = (0x2C, 0)
        for candidate in candidates {
            var counts: [Int] = []
            var count = 0
            // Lines of nothing but spaces and tabs are skipped by the reader, so not counted here.
            var lineHasText = false
            var inQuotes = false
            for byte in sample where counts.count < maximumLines {
                if byte == quote {
                    // A doubled quote toggles twice, as it should.
                    inQuotes.toggle()
                } else if !inQuotes, byte == lineFeed || byte == carriageReturn {
                    if lineHasText { counts.append(count) }
                    count = 0
                    lineHasText = false
                    continue
                } else if !inQuotes, byte == candidate {
                    count += 1
                }
                if byte != 0x20 && byte != 0x09 { lineHasText = true }
            }
            // The last line counts only if the sample holds all of it.
            if !isCut, counts.count < maximumLines, lineHasText { counts.append(count) }
            guard let first = counts.first, first > 0, counts.allSatisfy({ $0 == first }) else { continue }
            if first + 1 > best.fields { best = (candidate, first + 1) }
        }
        return best.delimiter
    }
}

// MARK: - Decoding

extension CSVReader {
    /// Turns file bytes into UTF-8: UTF-8 itself is only validated; the rest goes through iconv.
    private enum Decoder {
        case utf8(UTF8Validator)
        case converter(CharsetConverter)

        mutating func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
            switch self {
            case .utf8(var validator):
                validator.append(input, to: &output)
                self = .utf8(validator)
            case .converter(let converter):
                converter.convert(input, into: &output)
            }
        }

        mutating func finish(into output: inout [UInt8]) {
            switch self {
            case .utf8(var validator):
                validator.finish(into: &output)
                self = .utf8(validator)
            case .converter(let converter):
                converter.finish(into: &output)
            }
        }

        mutating func decodeAll(_ input: ArraySlice<UInt8>) -> [UInt8] {
            var output: [UInt8] = []
            input.withUnsafeBytes { decode($0, into: &output) }
            finish(into: &output)
            return output
        }
    }

    private static func decoder(for encoding: SourceEncoding) throws -> Decoder {
        switch encoding {
        case .utf8, .utf8BOM: .utf8(UTF8Validator())
        case .utf16LE: .converter(try CharsetConverter(from: "UTF-16LE"))
        case .utf16BE: .converter(try CharsetConverter(from: "UTF-16BE"))
        case .gb18030: .converter(try CharsetConverter(from: "GB18030"))
        }
    }
}

/// Passes UTF-8 through, replacing each ill-formed subsequence with U+FFFD (as `String`
/// would, but counted) and holding back a sequence cut by the end of a chunk.
private struct UTF8Validator {
    private(set) var replacedSequences = 0
    private var pending: [UInt8] = []

    enum Sequence { case valid(Int), invalid(Int), incomplete }

    /// The well-formed sequence at `index`, or the length of the maximal ill-formed
    /// subpart to replace, or `incomplete` when the buffer ends inside a valid prefix.
    @inline(__always)
    static func sequence(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Sequence {
        let lead = bytes[index]
        if lead < 0x80 { return .valid(1) }
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        case 0xF1...0xF3: length = 4
        default: return .invalid(1)
        }
        for offset in 1..<length {
            guard index + offset < bytes.count else { return .incomplete }
            let range = offset == 1 ? secondRange : 0x80...0xBF
            guard range.contains(bytes[index + offset]) else { return .invalid(offset) }
        }
        return .valid(length)
    }

    mutating func append(_ input: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: pending)
        output.append(contentsOf: input)
        pending = []
        validate(&output, from: start, isFinal: false)
    }

    mutating func finish(into output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: pending)
        pending = []
        validate(&output, from: start, isFinal: true)
    }

    /// Checks `output[start...]` in place; only a chunk with bad bytes is copied.
    private mutating func validate(_ output: inout [UInt8], from start: Int, isFinal: Bool) {
        var firstInvalid: Int?
        var cut: Int?
        output.withUnsafeBufferPointer { bytes in
            var index = start
            while index < bytes.count {
                // Eight ASCII bytes at a time: the common case in exports.
                if index + 8 <= bytes.count {
                    let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 == 0 { index += 8; continue }
                }
                switch Self.sequence(at: index, in: bytes) {
                case .valid(let length): index += length
                case .invalid: firstInvalid = index; return
                case .incomplete: cut = index; return
                }
            }
        }
        if let cut, !isFinal {
            pending = Array(output[cut...])
            output.removeSubrange(cut...)
            return
        }
        guard let repairFrom = firstInvalid ?? cut else { return }
        var repaired: [UInt8] = []
        repaired.reserveCapacity(output.count - repairFrom + 16)
        output.withUnsafeBufferPointer { bytes in
            var index = repairFrom
            while index < bytes.count {
                switch Self.sequence(at: index, in: bytes) {
                case .valid(let length):
                    repaired.append(contentsOf: bytes[index..<(index + length)])
                    index += length
                case .invalid(let length):
                    repaired.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    replacedSequences += 1
                    index += length
                case .incomplete where isFinal:
                    repaired.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    replacedSequences += 1
                    index = bytes.count
                case .incomplete:
                    pending = Array(bytes[index...])
                    index = bytes.count
                }
            }
        }
        output.replaceSubrange(repairFrom..., with: repaired)
    }
}

// MARK: - Scanning

private let quote: UInt8 = 0x22
private let lineFeed: UInt8 = 0x0A
private let carriageReturn: UInt8 = 0x0D

/// Where a field lies in the decoded text and how to read it.
private struct FieldBounds {
    enum Kind {
        /// Taken as it is, quotes included.
        case plain
        /// `"…"` with nothing to unescape: the text between the quotes.
        case quoted
        /// Opens with a quote and has doubled quotes or text after the closing quote.
        case escaped
    }

    var start: Int
    var end: Int
    var kind: Kind
}

/// Finds the fields and the end of one record in decoded UTF-8, and can stop at the end
/// of the buffer and resume once more text has been appended.
private struct RecordScanner {
    enum Outcome {
        case record(end: Int, terminatorLength: Int)
        case needMore
        case endOfFile
        case unterminatedQuote
    }

    private enum State {
        /// Before the first byte of a record: a line feed completing a CR is skipped here.
        case recordStart
        case fieldStart
        case unquoted
        case quoted
        /// A quote seen inside a quoted field: closing, or the first of a doubled pair.
        case quoteInQuoted
    }

    let delimiter: UInt8
    private(set) var fields: [FieldBounds] = []
    var recordStart = 0
    /// The 1-based line the current record starts on.
    private(set) var recordLine = 1
    /// The line the scan position is on.
    private var line = 1
    private var position = 0
    private var fieldStart = 0
    private var fieldKind = FieldBounds.Kind.plain
    private var state = State.recordStart
    private var skipsLineFeed = false

    init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    /// Moves every offset back after the text before `recordStart` was dropped.
    mutating func shift(by count: Int) {
        recordStart -= count
        position -= count
        fieldStart -= count
        for index in fields.indices {
            fields[index].start -= count
            fields[index].end -= count
        }
    }

    mutating func startNextRecord() {
        fields.removeAll(keepingCapacity: true)
        state = .recordStart
    }

    mutating func scan(_ text: UnsafeBufferPointer<UInt8>, atEnd: Bool) -> Outcome {
        // Locals keep the hot loops off `self`.
        var position = self.position
        var line = self.line
        var state = self.state
        let delimiter = self.delimiter
        let count = text.count
        defer {
            self.position = position
            self.line = line
            self.state = state
        }

        while true {
            switch state {
            case .recordStart:
                if skipsLineFeed {
                    guard position < count else { return atEnd ? .endOfFile : .needMore }
                    if text[position] == lineFeed { position += 1 }
                    skipsLineFeed = false
                }
                guard position < count else { return atEnd ? .endOfFile : .needMore }
                recordStart = position
                recordLine = line
                state = .fieldStart

            case .fieldStart:
                fieldStart = position
                guard position < count else {
                    if !atEnd { return .needMore }
                    fields.append(FieldBounds(start: position, end: position, kind: .plain))
                    return .record(end: position, terminatorLength: 0)
                }
                if text[position] == quote {
                    fieldKind = .quoted
                    position += 1
                    state = .quoted
                } else {
                    fieldKind = .plain
                    state = .unquoted
                }

            case .unquoted:
                while position < count {
                    let byte = text[position]
                    if byte == delimiter || byte == lineFeed || byte == carriageReturn { break }
                    position += 1
                }
                guard position < count else {
                    if !atEnd { return .needMore }
                    fields.append(FieldBounds(start: fieldStart, end: position, kind: fieldKind))
                    return .record(end: position, terminatorLength: 0)
                }
                fields.append(FieldBounds(start: fieldStart, end: position, kind: fieldKind))
                let byte = text[position]
                if byte == delimiter {
                    position += 1
                    state = .fieldStart
                    continue
                }
                let end = position
                position += 1
                line += 1
                skipsLineFeed = byte == carriageReturn
                return .record(end: end, terminatorLength: 1)

            case .quoted:
                while position < count {
                    let byte = text[position]
                    if byte == quote { break }
                    if byte == lineFeed {
                        if text[position - 1] != carriageReturn { line += 1 }
                    } else if byte == carriageReturn {
                        line += 1
                    }
                    position += 1
                }
                guard position < count else { return atEnd ? .unterminatedQuote : .needMore }
                position += 1
                state = .quoteInQuoted

            case .quoteInQuoted:
                guard position < count else {
                    if !atEnd { return .needMore }
                    fields.append(FieldBounds(start: fieldStart, end: position, kind: fieldKind))
                    return .record(end: position, terminatorLength: 0)
                }
                let byte = text[position]
                if byte == quote {
                    fieldKind = .escaped
                    position += 1
                    state = .quoted
                } else {
                    // Closed. Anything before the next delimiter is kept as text.
                    if byte != delimiter && byte != lineFeed && byte != carriageReturn { fieldKind = .escaped }
                    state = .unquoted
                }
            }
        }
    }
}
