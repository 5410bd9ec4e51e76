import Foundation
import IntakeChannels
import IntakeCore
import Testing

/// A file in a fresh temporary directory, removed when the value is released.
final class TemporaryCSVFile {
    let directory: URL
    let path: String

    init(_ bytes: [UInt8], name: String = "工单导出.csv") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    convenience init(_ text: String) throws {
        try self.init(Array(text.utf8))
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite struct CSVReaderTests {
    // MARK: Encodings

    @Test func plainUTF8IsDetected() throws {
        let file = try TemporaryCSVFile(hotlineExport)
        let reader = try CSVReader(path: file.path)
        #expect(reader.encoding == .utf8)
        #expect(try readAll(reader).map(\.fields) == [["工单编号", "来电人", "诉求内容"], ["GD-001", "张先生", "反映道路积水，请尽快处理"], ["GD-002", "李女士", "企业用地咨询"]])
    }

    @Test func theUTF8ByteOrderMarkIsDetectedAndStrippedFromTheFirstField() throws {
        let file = try TemporaryCSVFile([0xEF, 0xBB, 0xBF] + Array(hotlineExport.utf8))
        let reader = try CSVReader(path: file.path)
        #expect(reader.encoding == .utf8BOM)
        let header = try #require(try reader.next())
        #expect(header.fields.first == "工单编号")
        #expect(header.text == "工单编号,来电人,诉求内容")
    }

    @Test func utf16WithAByteOrderMarkIsDetectedInBothByteOrders() throws {
        for (encoding, bom, charset) in [(SourceEncoding.utf16LE, [UInt8]([0xFF, 0xFE]), "UTF-16LE"), (.utf16BE, [0xFE, 0xFF], "UTF-16BE")] {
            let file = try TemporaryCSVFile(bom + encoded(hotlineExport, as: charset))
            let reader = try CSVReader(path: file.path)
            #expect(reader.encoding == encoding)
            let all = try readAll(reader)
            #expect(all.count == 3)
            #expect(all[0].fields[0] == "工单编号")
            #expect(all[1].fields[2] == "反映道路积水，请尽快处理")
        }
    }

    @Test func gb18030IsDetectedWhenTheSampleIsNotUTF8() throws {
        // 工单 in GB18030, as Excel on Chinese Windows saves it.
        let bytes: [UInt8] = [0xB9, 0xA4, 0xB5, 0xA5, 0x2C, 0x41, 0x0A]
        let file = try TemporaryCSVFile(bytes + encoded("GD-001,市民来电反映噪音扰民\n", as: "GB18030"))
        let reader = try CSVReader(path: file.path)
        #expect(reader.encoding == .gb18030)
        #expect(try readAll(reader).map(\.fields) == [["工单", "A"], ["GD-001", "市民来电反映噪音扰民"]])
        #expect(reader.replacedSequences == 0)
    }

    @Test func gbkOnlyCharactersInAnAnsiExportDecode() throws {
        let all = try records(encoded("来电人,地址\n朱镕基,张喆路1号\n", as: "GBK"))
        #expect(all[1].fields == ["朱镕基", "张喆路1号"])
    }

    // MARK: Delimiters

    @Test func theDelimiterIsSniffedAmongCommaTabAndSemicolon() throws {
        for delimiter in [",", "\t", ";"] {
            let text = ["编号", "内容 说明", "日期"].joined(separator: delimiter) + "\n"
                + ["1", "\"含逗号,分号;和\t制表符\"", "2026-03-01"].joined(separator: delimiter) + "\n"
            let file = try TemporaryCSVFile(text)
            let reader = try CSVReader(path: file.path)
            #expect(reader.delimiter == UInt8(ascii: delimiter.unicodeScalars.first!))
            let all = try readAll(reader)
            #expect(all[1].fields == ["1", "含逗号,分号;和\t制表符", "2026-03-01"], "delimiter \(delimiter.debugDescription)")
        }
    }

    @Test func aGivenDelimiterOverridesSniffing() throws {
        let file = try TemporaryCSVFile("a;b,c\nd;e,f\n")
        // Both would split consistently; sniffing would pick the comma.
        let reader = try CSVReader(path: file.path, delimiter: UInt8(ascii: ";"))
        #expect(reader.delimiter == UInt8(ascii: ";"))
        #expect(try readAll(reader).map(\.fields) == [["a", "b,c"], ["d", "e,f"]])
    }

    @Test func commaIsTheDefaultWhenNothingIsConsistent() throws {
        let file = try TemporaryCSVFile("单列\n没有分隔符\n")
        #expect(try CSVReader(path: file.path).delimiter == UInt8(ascii: ","))
    }

    // MARK: RFC 4180

    @Test func quotedFieldsAndDoubledQuotesAreUnescaped() throws {
        let all = try records("a,\"他说\"\"你好\"\"\",\"x,y\",\"\"\n")
        #expect(all[0].fields == ["a", "他说\"你好\"", "x,y", ""])
    }

    @Test func embeddedNewlinesKeepTheLineNumbersOfLaterRecordsRight() throws {
        let text = "编号,内容\n1,\"第一行\n第二行\r\n第三行\"\n2,简单\n3,\"a\rb\"\n4,末行\n"
        let all = try records(text)
        #expect(all.map(\.line) == [1, 2, 5, 6, 8])
        #expect(all[1].fields[1] == "第一行\n第二行\r\n第三行")
        #expect(all[1].text == "1,\"第一行\n第二行\r\n第三行\"")
        #expect(all[3].fields[1] == "a\rb")
    }

    @Test func crlfAndLoneCRLineEndsAreRecognised() throws {
        #expect(try records("a,b\r\nc,d\r\n").map(\.fields) == [["a", "b"], ["c", "d"]])
        #expect(try records("a,b\rc,d\r").map(\.fields) == [["a", "b"], ["c", "d"]])
        #expect(try records("a,b\r\nc,d\re,f\n").map(\.line) == [1, 2, 3])
    }

    @Test func aMissingFinalNewlineStillEndsTheLastRecord() throws {
        #expect(try records("a,b\nc,d").map(\.fields) == [["a", "b"], ["c", "d"]])
        #expect(try records("a,b\nc,\"d\"").last?.fields == ["c", "d"])
        #expect(try records("a,b\nc,").last?.fields == ["c", ""])
    }

    @Test func blankLinesAreSkippedAndLineNumbersStayRight() throws {
        let all = try records("a,b\n\n   \n\r\nc,d\n\t\n\ne,f\n\n")
        #expect(all.map(\.fields) == [["a", "b"], ["c", "d"], ["e", "f"]])
        #expect(all.map(\.line) == [1, 5, 8])
    }

    @Test func excelTextGuardsAreRemovedInBothForms() throws {
        let all = try records("号码,编号\n=\"0123\",\"=\"\"00456\"\"\"\n")
        #expect(all[1].fields == ["0123", "00456"])
    }

    @Test func trailingEmptyColumnsAreKept() throws {
        #expect(try records("a,b,,\n1,2,,\n").map(\.fields) == [["a", "b", "", ""], ["1", "2", "", ""]])
    }

    @Test func fieldsAreNotTrimmed() throws {
        #expect(try records(" a , b \n").first?.fields == [" a ", " b "])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsKeptLiterally() throws {
        #expect(try records("a,12\"寸屏幕,c\n").first?.fields == ["a", "12\"寸屏幕", "c"])
        #expect(try records("a,\"引号\"之后,c\n").first?.fields == ["a", "引号之后", "c"])
    }

    // MARK: Streaming

    @Test func chunkBoundariesInsideCharactersAndQuotedFieldsChangeNothing() throws {
        let text = "工单编号,诉求内容\nGD-001,\"跨块的\n引号,字段😀\"\"镕\"\"\"\nGD-002,喆\r\n"
        let bytes = encoded(text, as: "GB18030")
        let expected = try records(bytes)
        #expect(expected.map(\.fields) == [["工单编号", "诉求内容"], ["GD-001", "跨块的\n引号,字段😀\"镕\""], ["GD-002", "喆"]])
        #expect(expected.map(\.line) == [1, 2, 4])
        for chunkSize in 1...9 {
            #expect(try records(bytes, chunkSize: chunkSize) == expected, "chunk size \(chunkSize)")
        }
    }

    @Test func bytesReadReachesTheFileSize() throws {
        let file = try TemporaryCSVFile([0xEF, 0xBB, 0xBF] + Array(hotlineExport.utf8))
        let reader = try CSVReader(path: file.path, chunkSize: 16)
        #expect(reader.fileSize == hotlineExport.utf8.count + 3)
        _ = try reader.next()
        #expect(reader.bytesRead > 0 && reader.bytesRead < reader.fileSize)
        _ = try readAll(reader)
        #expect(reader.bytesRead == reader.fileSize)
    }

    @Test func afterCloseNextReturnsNil() throws {
        let file = try TemporaryCSVFile(hotlineExport)
        let reader = try CSVReader(path: file.path)
        _ = try reader.next()
        reader.close()
        #expect(try reader.next() == nil)
    }

    // MARK: Failures

    @Test func anUnterminatedQuoteAtTheEndReportsTheLineItStartsOn() throws {
        let file = try TemporaryCSVFile("a,b\n\nc,\"never closed\nmore\n")
        let reader = try CSVReader(path: file.path)
        _ = try reader.next()
        #expect {
            _ = try reader.next()
        } throws: { error in
            (error as? CSVError)?.line == 3
        }
        // The reader does not pretend to recover.
        #expect(throws: CSVError.self) { _ = try reader.next() }
    }

    @Test func aRecordLongerThanTheLimitReportsTheLineItStartsOn() throws {
        let text = "a,b\nc,\"open\n" + String(repeating: "很长的内容\n", count: 200) + "\"\nd,e\n"
        let file = try TemporaryCSVFile(text)
        let reader = try CSVReader(path: file.path, maxRecordBytes: 1000, chunkSize: 64)
        _ = try reader.next()
        #expect {
            _ = try reader.next()
        } throws: { error in
            guard let error = error as? CSVError else { return false }
            return error.line == 2 && error.message.contains("1000 bytes")
        }
    }

    @Test func aMissingFileReportsTheSystemError() {
        #expect {
            _ = try CSVReader(path: "/nonexistent/热线.csv")
        } throws: { error in
            "\(error)".contains("/nonexistent/热线.csv") && "\(error)".contains("No such file")
        }
    }

    @Test func invalidBytesAreReplacedAndCountedNeverACrash() throws {
        // Valid UTF-8 for the whole 64 KiB sample, then bytes no encoding explains.
        var bytes = Array("编号,内容\n".utf8)
        while bytes.count < 70_000 { bytes += Array("GD-000,正常内容\n".utf8) }
        bytes += Array("GD-999,坏".utf8) + [0xFF, 0xC3, 0x28, 0xE5, 0xB7] + Array(",尾\n".utf8) + [0xE5]
        for chunkSize in [7, 1 << 16] {
            let file = try TemporaryCSVFile(bytes)
            let reader = try CSVReader(path: file.path, chunkSize: chunkSize)
            #expect(reader.encoding == .utf8)
            let all = try readAll(reader)
            let bad = try #require(all.first { $0.fields[0] == "GD-999" })
            #expect(bad.fields == ["GD-999", "坏\u{FFFD}\u{FFFD}(\u{FFFD}", "尾"])
            #expect(all.last?.fields == ["\u{FFFD}"])
            #expect(reader.replacedSequences == 4)
        }
    }

    // MARK: Round trip

    @Test func randomRecordsSurviveASerialiseAndParseRoundTrip() throws {
        var generator = SeededGenerator(seed: 20_260_301)
        let pieces = ["工单", "投诉", "镕", "😀", ",", "\"", "\n", "\r\n", " ", "a", "0123", ";", "\t", "=", "—"]
        var rows: [[String]] = []
        for _ in 0..<300 {
            let columns = Int.random(in: 1...6, using: &generator)
            rows.append((0..<columns).map { _ in
                (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            })
        }
        // Rows that would read back as blank lines or as Excel guards are not what this test is about.
        rows = rows.filter { row in
            !(row.count == 1 && row[0].allSatisfy { $0 == " " || $0 == "\t" }) && !row.contains { $0.hasPrefix("=\"") }
        }
        let serialised = rows.map { row in
            row.map { field in
                field.unicodeScalars.contains(where: { ",\"\r\n".unicodeScalars.contains($0) })
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",")
        }.joined(separator: "\r\n")
        for (charset, chunkSizes) in [("UTF-8", [1, 3, 17, 1 << 16]), ("GB18030", [2, 5, 64])] {
            let bytes = charset == "UTF-8" ? Array(serialised.utf8) : encoded(serialised, as: charset)
            for chunkSize in chunkSizes {
                let parsed = try records(bytes, delimiter: UInt8(ascii: ","), chunkSize: chunkSize)
                #expect(parsed.map(\.fields) == rows, "\(charset), chunk size \(chunkSize)")
            }
        }
    }
}

extension CSVReaderTests {
    /// Every record the reader has left.
    private func readAll(_ reader: CSVReader) throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    private func records(_ bytes: [UInt8], delimiter: UInt8? = nil, chunkSize: Int = 1 << 16) throws -> [CSVRecord] {
        let file = try TemporaryCSVFile(bytes)
        return try readAll(CSVReader(path: file.path, delimiter: delimiter, chunkSize: chunkSize))
    }

    private func records(_ text: String, delimiter: UInt8? = nil, chunkSize: Int = 1 << 16) throws -> [CSVRecord] {
        try records(Array(text.utf8), delimiter: delimiter, chunkSize: chunkSize)
    }

    private var hotlineExport: String {
        "工单编号,来电人,诉求内容\nGD-001,张先生,\"反映道路积水，请尽快处理\"\nGD-002,李女士,企业用地咨询\n"
    }
}

/// SplitMix64: the same records on every run.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
