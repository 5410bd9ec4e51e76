import Foundation
import IntakeChannels
import IntakeCore
import Testing

/// Input written to hurt: every reader bounded, every name kept away from the file system,
/// invalid bytes refused or replaced — never a crash, never unbounded work.
@Suite struct HostileInputTests {
    @Test(arguments: [
        ("../../etc/passwd", "passwd"), ("/etc/shadow", "shadow"), ("..\\..\\boot.ini", "boot.ini"),
        ("a\u{0}b.txt", "ab.txt"), ("CON", "_CON"), ("nul.txt", "_nul.txt"), ("LPT1.log", "_LPT1.log"),
        ("..", "attachment"), ("", "attachment"), ("  .hidden. ", "hidden"), ("报告\u{1B}[31m.pdf", "报告[31m.pdf"),
    ])
    func attachmentNamesNeverBecomePaths(given: String, expected: String) {
        #expect(AttachmentName.sanitized(given) == expected)
    }

    @Test func aVeryLongAttachmentNameIsCutTo255Bytes() {
        let name = AttachmentName.sanitized(String(repeating: "很长的名字", count: 200) + ".pdf")
        #expect(name.utf8.count <= 255)
        #expect(!name.isEmpty)
    }

    @Test func aMessageWithTenThousandPartsIsReadUpToTheLimitAndSaysSo() {
        var message = "From: a@example.cn\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        for index in 0..<10_000 {
            message += "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"p\(index).bin\"\r\n\r\nx\r\n"
        }
        message += "--b--\r\n"
        let parsed = MIMEParser.parse(Data(message.utf8))
        #expect(parsed.attachments.count <= MIMEParser.maxParts)
        #expect(parsed.problems.contains { $0.contains("more than \(MIMEParser.maxParts) parts") }, "\(parsed.problems)")
    }

    @Test func deeplyNestedMultipartIsCutAtTheDepthLimit() {
        var message = "From: a@example.cn\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
        for depth in 1..<500 { message += "--b\(depth - 1)\r\nContent-Type: multipart/mixed; boundary=\"b\(depth)\"\r\n\r\n" }
        message += "--b499\r\nContent-Type: text/plain\r\n\r\n深处的正文\r\n"
        let parsed = MIMEParser.parse(Data(message.utf8))
        #expect(parsed.problems.contains { $0.contains("nested deeper than") }, "\(parsed.problems.prefix(3))")
    }

    @Test func invalidUTF8InAMessageBodyIsReplacedNotFatal() {
        var bytes = Array("From: a@example.cn\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n正文".utf8)
        bytes += [0xFF, 0xFE, 0xC3, 0x28, 0xE2, 0x82]
        bytes += Array("结束".utf8)
        let parsed = MIMEParser.parse(Data(bytes))
        #expect(parsed.text.hasPrefix("正文"))
        #expect(parsed.text.contains("\u{FFFD}"))
        #expect(parsed.text.contains("结束"))
    }

    @Test func jsonNestedTenThousandDeepIsRefusedWithoutExhaustingTheStack() {
        let deep = Array(repeating: UInt8(ascii: "["), count: 10_000) + Array(repeating: UInt8(ascii: "]"), count: 10_000)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(deep, maxDepth: 32) }
        let objects = Array(String(repeating: #"{"a":"#, count: 10_000).utf8) + [UInt8(ascii: "1")] + Array(repeating: UInt8(ascii: "}"), count: 10_000)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(objects) }
    }

    @Test(arguments: [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] as [[UInt8]])
    func invalidUTF8InJSONIsRefused(bad: [UInt8]) {
        let body = Array(#"{"description": ""#.utf8) + bad + Array(#""}"#.utf8)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(body) }
    }

    @Test func aCSVWithAHundredThousandColumnsIsReadAsOneRecord() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wide-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let header = (0..<100_000).map { "c\($0)" }.joined(separator: ",")
        try Data((header + "\n1,2,3\n").utf8).write(to: url)
        let reader = try CSVReader(path: url.path, delimiter: UInt8(ascii: ","))
        defer { reader.close() }
        #expect(try reader.next()?.fields.count == 100_000)
        #expect(try reader.next()?.fields == ["1", "2", "3"])
    }

    @Test func aFiftyMegabyteFieldIsRefusedAtItsLineAndTheReaderStopsThere() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("long-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        var data = Data("工单编号,诉求内容\nA1,\"".utf8)
        data.append(Data(repeating: UInt8(ascii: "x"), count: 50 << 20))
        data.append(Data("\"\nA2,ok\n".utf8))
        try data.write(to: url)
        let reader = try CSVReader(path: url.path, delimiter: UInt8(ascii: ","))
        defer { reader.close() }
        #expect(try reader.next()?.fields == ["工单编号", "诉求内容"])
        do {
            _ = try reader.next()
            Issue.record("a 50 MB field was accepted")
        } catch let error as CSVError {
            #expect(error.line == 2)
        }
    }
}
