// libFuzzer target: CSVReader (encoding and delimiter sniffing, iconv decoding, RFC 4180
// scanning) over a file holding the input, read once in 64 KiB chunks and once in tiny
// ones: the records must not depend on where the chunks end. Then CharsetConverter alone,
// whole versus chunked, for one of the charsets hotline files and mail come in.
import Foundation
import Glibc
import IntakeCore
@testable import IntakeChannels

private let path: String = {
    let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp")
    return "\(directory)/intake-fuzz-csv-\(getpid())"
}()

private struct Outcome: Equatable {
    var records: [CSVRecord] = []
    var error: String?
    var replaced = 0
}

private func readAll(chunkSize: Int, maxRecordBytes: Int) -> Outcome {
    var outcome = Outcome()
    do {
        let reader = try CSVReader(path: path, maxRecordBytes: maxRecordBytes, chunkSize: chunkSize)
        while let record = try reader.next() {
            check(!record.fields.isEmpty, "a record without fields")
            check(record.line >= 1, "line \(record.line)")
            outcome.records.append(record)
            if outcome.records.count > 100_000 { break }
        }
        check(reader.bytesRead <= reader.fileSize, "read \(reader.bytesRead) of \(reader.fileSize) bytes")
        outcome.replaced = reader.replacedSequences
        // After the end (or an error) it stays there.
        check((try? reader.next()) == nil, "a record after the end")
    } catch let error as CSVError {
        outcome.error = error.description
    } catch {
        outcome.error = "\(error)"
    }
    return outcome
}

private let mailLabels = ["utf-8", "ucs-4", "gb2312", "big5", "iso-8859-1", "us-ascii", "", "utf-16", "x-unknown", "shift_jis", "koi8-r", "utf-7"]

private let charsets = ["GB18030", "BIG5-HKSCS", "UTF-16LE", "UTF-16BE", "UTF-8", "ISO-2022-JP", "SHIFT_JIS", "UTF-7"]

private func convert(_ input: [UInt8], charset: String, chunk: Int) -> ([UInt8], Int) {
    guard let converter = try? CharsetConverter(from: charset) else { return ([], -1) }
    var output: [UInt8] = []
    var start = 0
    while start < input.count {
        let end = min(input.count, start + chunk)
        input[start..<end].withUnsafeBytes { converter.convert($0, into: &output) }
        start = end
    }
    converter.finish(into: &output)
    return (output, converter.replacedSequences)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    check(descriptor >= 0, "cannot create \(path)")
    var written = 0
    while written < input.count {
        let result = input[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        check(result > 0, "cannot write \(path)")
        written += result
    }
    close(descriptor)
    defer { unlink(path) }

    let seed = input.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF }
    let whole = readAll(chunkSize: 1 << 16, maxRecordBytes: 1 << 20)
    // Tiny chunks on small files; on larger ones a read per byte would cost more than it finds.
    let small = input.count <= 1024 ? 1 + seed % 7 : 7 + seed % 61
    let chunked = readAll(chunkSize: small, maxRecordBytes: 1 << 20)
    check(whole == chunked, "chunks of \(small) bytes read differently from 64 KiB chunks")
    // A small record limit: the error path, for crashes only.
    _ = readAll(chunkSize: 3 + seed % 29, maxRecordBytes: 1 + seed % 64)

    let charset = charsets[seed % charsets.count]
    let (one, oneReplaced) = convert(input, charset: charset, chunk: max(1, input.count))
    let (many, manyReplaced) = convert(input, charset: charset, chunk: 1 + (seed >> 3) % 5)
    // Stateful charsets (UTF-7, ISO-2022) are left out of the comparison: only mail uses
    // them, and mail is converted in one piece.
    if charset != "UTF-7" && !charset.hasPrefix("ISO-2022") {
        check(one == many && oneReplaced == manyReplaced, "\(charset) converted differently in chunks")
    }
    // glibc passes code points past U+10FFFF through from UTF-8 and UCS-4; the rest must be UTF-8.
    if charset != "UTF-8" {
        check(String(validating: one, as: UTF8.self) != nil || oneReplaced < 0, "\(charset) converter wrote invalid UTF-8")
    }
    // Mail's charset handling: text that gained U+FFFD must say so in `problem`.
    let label = mailLabels[(seed >> 6) % mailLabels.count]
    let decoded = MIMECharset.decode(input[...], charset: label)
    if decoded.problem == nil, label != "utf-7" {
        // U+FFFD written in the input itself: in UTF-8, UTF-16/UCS-4 (either order) or GB18030.
        let hadReplacement = input.indices.dropLast().contains { index in
            (input[index] == 0xEF && index + 2 < input.count && input[index + 1] == 0xBF && input[index + 2] == 0xBD)
                || (input[index] == 0xFF && input[index + 1] == 0xFD) || (input[index] == 0xFD && input[index + 1] == 0xFF)
                || (input[index] == 0x84 && index + 3 < input.count && input[index + 1] == 0x31 && input[index + 2] == 0xA4 && input[index + 3] == 0x37)
        }
        check(hadReplacement || !decoded.text.unicodeScalars.contains("\u{FFFD}"), "\(label): U+FFFD in the text but no problem reported")
    }
    return 0
}
