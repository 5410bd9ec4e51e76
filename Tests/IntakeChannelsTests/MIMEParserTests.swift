import Foundation
import IntakeChannels
import Testing

private func fixtureData(_ name: String) throws -> Data {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/email/\(name).eml")
    return try Data(contentsOf: url)
}

private func fixture(_ name: String, maxAttachmentBytes: Int = 10 << 20) throws -> MIMEMessage {
    MIMEParser.parse(try fixtureData(name), maxAttachmentBytes: maxAttachmentBytes)
}

/// A message from header lines and a body, with CRLF line ends.
private func message(_ headers: [String], _ body: String = "body") -> MIMEMessage {
    MIMEParser.parse(Data((headers.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8))
}

private func utc(_ text: String) -> Date? {
    ISO8601DateFormatter().date(from: text)
}

@Suite struct MIMEParserTests {
    @Test func plainUTF8MessageDecodesHeadersAndBody() throws {
        let message = try fixture("plain_utf8")
        #expect(message.subject == "厂房用地规划许可进度咨询")
        #expect(message.fromName == "张先生")
        #expect(message.fromAddress == "zhang.san@example.cn")
        #expect(message.messageID == "plain-utf8-0001@example.cn")
        #expect(message.date == utc("2026-02-26T01:13:05Z"))
        #expect(message.text == "您好：\n我公司想咨询厂房用地规划许可的办理进度。\n公司名称：天津某某科技有限公司\n统一社会信用代码：91120116MA07K3RD93\n联系电话：138 1234 5678\n\n张先生")
        #expect(message.header("to") == "service@zone.example.gov.cn")
        #expect(message.attachments.isEmpty)
        #expect(message.problems.isEmpty)
        #expect(!message.isReport)
    }

    @Test func gb2312LabelReadsGBKOnlyCharactersInSubjectNameAndBody() throws {
        let message = try fixture("gb2312_gbk")
        #expect(message.subject == "关于朱镕基路厂房的咨询（李喆）")
        #expect(message.fromName == "李喆")
        #expect(message.text == "您好，我是李喆，想咨询朱镕基路厂房的租赁政策。\n电话：022-66290000")
        #expect(message.problems.isEmpty)
    }

    @Test func gb18030FourByteCharactersDecode() throws {
        let message = try fixture("gb18030_four_byte")
        #expect(message.subject == "生僻字𠀀䶮")
        #expect(message.fromName == "王先生")
        #expect(message.text == "生僻字测试：𠀀 与 䶮。")
        #expect(message.problems.isEmpty)
    }

    @Test func big5QuotedPrintableBodyAndEncodedWordsDecode() throws {
        let message = try fixture("big5")
        #expect(message.subject == "投資優惠詢問")
        #expect(message.fromName == "陳先生")
        #expect(message.fromAddress == "chen@example.com.tw")
        #expect(message.text == "臺灣廠商詢問投資優惠。")
        // "+0800 (CST)": the comment is not a zone.
        #expect(message.date == utc("2026-02-26T02:00:00Z"))
        #expect(message.problems.isEmpty)
    }

    @Test func base64BodyWithoutPaddingDecodes() throws {
        let message = try fixture("base64_body")
        #expect(message.text == Array(repeating: "这是一封 base64 编码的邮件。\n第二行。", count: 3).joined(separator: "\n"))
        #expect(message.fromName == nil)
        #expect(message.fromAddress == "test@example.cn")
        #expect(message.problems.isEmpty)
    }

    @Test func quotedPrintableJoinsSoftBreaksReadsLowercaseHexAndKeepsInvalidEscapes() throws {
        let message = try fixture("quoted_printable_body")
        #expect(message.text == "请问厂房的租金是多少？ 谢谢。\n50% off =ZZ stays")
        #expect(message.subject == "租金 咨询")
        #expect(message.fromName == "Qian, Si")
        #expect(message.problems == ["part 1: quoted-printable with 1 invalid escape kept as written"])
    }

    @Test func encodedWordsOverFoldedLinesJoinWithACharacterSplitBetweenWords() throws {
        let message = try fixture("folded_subject")
        #expect(message.subject == "厂房用地规划许可申请进度")
        #expect(message.fromName == "赵女士")
        #expect(message.text == "请尽快回复。")
        #expect(message.problems.isEmpty)
    }

    @Test func encodedWordBrokenByAFoldAndRaw8BitHeadersDecode() throws {
        let message = try fixture("split_encoded_word")
        #expect(message.subject == "厂房用地中")
        #expect(message.fromName == "李喆")
        #expect(message.fromAddress == "lizhe@example.cn")
        #expect(message.header("X-Raw-Note") == "原始八位")
        #expect(message.messageID == "bare-id-0001@example.cn")
        #expect(message.inReplyTo == ["a@example.cn", "b@example.cn"])
        #expect(message.text == "无字符集正文")
        #expect(message.problems == [
            "header From: 8-bit bytes labelled with no charset read as GB18030",
            "part 1: 8-bit bytes labelled with no charset read as GB18030",
        ])
    }

    @Test func htmlOnlyBodyBecomesTextWithoutScriptsStylesOrTags() throws {
        let message = try fixture("html_only")
        #expect(message.text == "您好：\n\n我们的厂房在 滨海新区&开发区。\n\n联系电话：139 1234 5678\n谢谢！\n\n第一\n\n第二")
        #expect(message.problems.isEmpty)
    }

    @Test func alternativePrefersPlainTextAndJoinsFlowedLinesWithDelSp() throws {
        let message = try fixture("alternative")
        #expect(message.text == "纯文本版本：请问用地指标如何申请？")
        #expect(message.attachments.isEmpty)
    }

    @Test func attachmentNamesDecodeFromRFC2231AndRFC2047() throws {
        let message = try fixture("attachments")
        let pdf = Data("%PDF-1.4\n% fixture\n".utf8) + Data((0..<4).flatMap { _ in (0...255).map { UInt8($0) } })
        #expect(message.attachments == [
            MIMEAttachment(name: "申请表.pdf", mediaType: "application/pdf", size: 1043, data: pdf),
            MIMEAttachment(name: "现场照片.png", mediaType: "image/png", size: 208, data: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(count: 200)),
            MIMEAttachment(name: "营业执照副本.txt", mediaType: "text/plain", size: 12, data: Data("营业执照".utf8)),
        ])
        // The inline text part after the attachments is part of the body.
        #expect(message.text == "申请表和现场照片见附件。\n\n附：补充说明在此。")
        #expect(message.problems.isEmpty)
    }

    @Test func attachmentOverTheLimitKeepsItsSizeWithoutItsBytes() throws {
        let message = try fixture("attachments", maxAttachmentBytes: 500)
        #expect(message.attachments.map(\.size) == [1043, 208, 12])
        #expect(message.attachments.map { $0.data != nil } == [false, true, true])
    }

    @Test func nestedMultipartPicksPlainTextAndKeepsInlineImageAndForwardedMessage() throws {
        let message = try fixture("nested")
        #expect(message.text == "正文在这里。\n\n第二段。")
        #expect(message.attachments.map(\.name) == ["attachment-1", "attachment-2"])
        #expect(message.attachments.map(\.mediaType) == ["image/png", "message/rfc822"])
        #expect(message.attachments.map(\.size) == [208, 160])
        // "Thu, 26 Feb 26 09:13 +0800": two-digit year, no seconds.
        #expect(message.date == utc("2026-02-26T01:13:00Z"))
        #expect(message.problems.isEmpty)
    }

    @Test func deliveryReportIsMarkedAndItsPartsKept() throws {
        let message = try fixture("bounce")
        #expect(message.isReport)
        #expect(message.text.hasPrefix("This is the mail system at host mx.zone.example.gov.cn."))
        #expect(message.attachments.map(\.mediaType) == ["message/delivery-status", "message/rfc822"])
    }

    @Test func brokenTruncatedMessageIsReadAsFarAsPossibleWithEveryProblemRecorded() throws {
        let message = try fixture("broken_truncated")
        #expect(message.subject == "故障")
        #expect(message.date == nil)
        #expect(message.text == "UTF-8 正文\n\n乱码\u{FFFD}\u{FFFD}测试\n\n内层正文")
        #expect(message.attachments == [MIMEAttachment(name: "data.bin", mediaType: "application/octet-stream", size: 9, data: Data(0...8))])
        #expect(message.problems == [
            "header Subject: encoded word: unknown charset 'x-unknown-charset', read as UTF-8",
            "message: missing final boundary",
            "part 1: unknown charset 'x-made-up', read as UTF-8",
            "part 2: 2 byte sequences undecodable as gb2312",
            "part 3: base64 with 3 invalid characters skipped",
            "part 4: missing final boundary",
        ])
    }

    @Test(arguments: [
        ("=?utf-8?q?a_b?= c", "a b c"),
        ("=?UTF-8?B?5Y6C?= =?UTF-8?B?5oi/?=", "厂房"),
        ("=?utf-8*zh-cn?Q?=E5=8E=82?=", "厂"),
        ("a =?utf-8?x?bad?= b", "a =?utf-8?x?bad?= b"),
        ("ab=?gbk?B?1tA=?=cd", "ab中cd"),
        ("=?ISO-8859-1?Q?caf=E9?= ok", "café ok"),
        ("=?utf-8?b?5Y6C?= plain =?utf-8?b?5oi/?=", "厂 plain 房"),
    ])
    func encodedWordsDecode(raw: String, expected: String) {
        #expect(message(["Subject: \(raw)"]).subject == expected)
    }

    /// "投資優惠詢問" in Big5, under every label mailers write for Big5 (Python's `email` writes `big5_tw`).
    @Test(arguments: ["big5_tw", "big5-tw", "BIG5-TW", "cp950", "ms950", "x-big5", "windows-950"])
    func big5AliasesDecode(label: String) {
        let parsed = message(["Subject: =?\(label)?B?p+u46sB1tGa437Dd?="], "")
        #expect(parsed.subject == "投資優惠詢問")
        #expect(parsed.problems.isEmpty)
    }

    @Test(arguments: [
        ("Thu, 26 Feb 2026 09:13:05 +0800", "2026-02-26T01:13:05Z"),
        ("26 Feb 2026 09:13:05 -0000", "2026-02-26T09:13:05Z"),
        ("Thu, 26 Feb 2026 04:13:05 EST", "2026-02-26T09:13:05Z"),
        ("Thu, 26 Feb 2026 09:13:05 GMT (Greenwich)", "2026-02-26T09:13:05Z"),
        ("Thu (Thursday), 26 Feb 2026 09:13 +0800 (CST)", "2026-02-26T01:13:00Z"),
        ("Thu, 26 Feb 99 09:13:05 UT", "1999-02-26T09:13:05Z"),
    ])
    func obsoleteDateFormsParse(raw: String, expected: String) {
        #expect(message(["Date: \(raw)"]).date == utc(expected))
    }

    @Test(arguments: ["31 Feb 2026 09:13:05 +0800", "2026-02-26 09:13:05", "yesterday", ""])
    func unparseableDatesAreNil(raw: String) {
        #expect(message(["Date: \(raw)"]).date == nil)
    }

    @Test func flowedTextJoinsOnlyLinesOfTheSameQuoteDepthAndKeepsSpacesWithoutDelSp() {
        let flowed = message(["Content-Type: text/plain; charset=utf-8; format=flowed"],
                             "one \r\ntwo\r\n> quoted \r\n> more\r\n-- \r\nsig")
        #expect(flowed.text == "one two\n> quoted more\n-- \nsig")
    }

    @Test func boundaryWithTrailingSpacesPreambleAndEpilogueAreHandled() {
        let parsed = message(["Content-Type: multipart/mixed; boundary=b"],
                             "preamble\r\n--b  \r\nContent-Type: text/plain\r\n\r\none\r\n--b--\t\r\nepilogue")
        #expect(parsed.text == "one")
        #expect(parsed.problems.isEmpty)
    }

    @Test func utf16BodyIsDecodedAsUTF16EvenWhenItsBytesLookLikeASCII() {
        let parsed = message(["Content-Type: text/plain; charset=UTF-16LE", "Content-Transfer-Encoding: base64"], "SABpACAAYE99WQ==")
        #expect(parsed.text == "Hi 你好")
        #expect(parsed.problems.isEmpty)
    }

    @Test func digestPartsWithoutContentTypeAreMessages() {
        let parsed = message(["Content-Type: multipart/digest; boundary=d"],
                             "--d\r\n\r\nSubject: one\r\n\r\n1\r\n--d\r\n\r\nSubject: two\r\n\r\n2\r\n--d--")
        #expect(parsed.attachments.map(\.mediaType) == ["message/rfc822", "message/rfc822"])
        #expect(parsed.attachments.map(\.name) == ["attachment-1", "attachment-2"])
        #expect(parsed.text == "")
    }

    @Test func nestingBeyondTheDepthLimitIsRecorded() {
        var body = "deep"
        for level in (0..<30).reversed() {
            body = "--l\(level)\r\nContent-Type: multipart/mixed; boundary=l\(level + 1)\r\n\r\n\(body)\r\n--l\(level)--"
        }
        let parsed = message(["Content-Type: multipart/mixed; boundary=l0"], body)
        #expect(parsed.problems.contains { $0.hasSuffix("multipart nested deeper than 20, kept as an attachment") })
    }

    @Test func partsBeyondTheLimitAreNotRead() {
        let body = (0..<1100).map { "--p\r\nContent-Type: application/octet-stream\r\n\r\n\($0)\r\n" }.joined() + "--p--"
        let parsed = message(["Content-Type: multipart/mixed; boundary=p"], body)
        #expect(parsed.attachments.count == MIMEParser.maxParts - 1)
        #expect(parsed.problems == ["more than 1000 parts, the rest not read"])
    }

    @Test func headerBlockOverTheLimitIsRecorded() {
        let filler = (0..<300).map { "X-Filler-\($0): " + String(repeating: "x", count: 1000) }
        let parsed = message(["Subject: big"] + filler)
        #expect(parsed.subject == "big")
        #expect(parsed.problems == ["header block over 262144 bytes, the rest ignored"])
        #expect(parsed.text == "body")
    }

    @Test func headerFieldsBeyondTheLimitAreRecorded() {
        let parsed = message(["Subject: many"] + (0..<1200).map { "X-Field-\($0): x" })
        #expect(parsed.headers.count == 1000)
        #expect(parsed.problems == ["more than 1000 header fields, the rest ignored"])
        #expect(parsed.text == "body")
    }

    @Test func mutatedFixturesNeverTrap() throws {
        let names = ["plain_utf8", "gb2312_gbk", "gb18030_four_byte", "big5", "base64_body", "quoted_printable_body",
                     "folded_subject", "split_encoded_word", "html_only", "alternative", "attachments", "nested",
                     "bounce", "broken_truncated", "reply_outlook", "case_token"]
        let fixtures = try names.map { [UInt8](try fixtureData($0)) }
        var random = SplitMix64(seed: 0x1A7A_6E55)
        let tokens: [[UInt8]] = ["\r\n", "\n--", "=?", "?=", "=?gb2312?B?", "=", "\r\n\r\n", "Content-Type: multipart/mixed; boundary=x\r\n",
                                 "\r\n--x\r\n", "<", "&#x", "filename*0*=", "%", "\u{FF}"].map { Array($0.utf8) }
        for round in 0..<3000 {
            var bytes = fixtures[round % fixtures.count]
            for _ in 0..<(1 + Int(random.next() % 4)) {
                guard !bytes.isEmpty else { break }
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 5 {
                case 0:
                    bytes.removeSubrange(position...)
                case 1:
                    for _ in 0..<(1 + random.next() % 8) {
                        bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                    }
                case 2:
                    let other = fixtures[Int(random.next() % UInt64(fixtures.count))]
                    let start = Int(random.next() % UInt64(other.count))
                    let length = min(other.count - start, Int(random.next() % 400))
                    bytes.insert(contentsOf: other[start..<(start + length)], at: position)
                case 3:
                    bytes.insert(contentsOf: tokens[Int(random.next() % UInt64(tokens.count))], at: position)
                default:
                    let length = min(bytes.count - position, Int(random.next() % 64))
                    bytes.removeSubrange(position..<(position + length))
                }
            }
            let parsed = MIMEParser.parse(Data(bytes), maxAttachmentBytes: 256, maxDepth: 5)
            for attachment in parsed.attachments {
                #expect(attachment.size >= 0)
                #expect(attachment.data == nil || attachment.data?.count == attachment.size)
                #expect(!attachment.name.isEmpty)
            }
        }
    }
}

/// A small seeded generator, so that a failing mutation can be replayed.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
