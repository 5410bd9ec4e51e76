import Foundation
import IntakeCore
import IntakePipeline
import Testing

@testable import IntakeChannels

/// What `fuzz/run.sh` found, kept found: each input here once trapped, broke a documented
/// promise, or took time quadratic in its size. The inputs are the fuzzers' own (shortened
/// where that showed the cause better), or the size probes that showed the slowness.
@Suite struct FuzzRegressionTests {
    private static let webhook = WebhookRequestDecoder(maxRequestsPerBatch: 5, maxAttachmentBytes: 64, maxAttachmentsPerRequest: 3)

    private static func decodeWebhook(_ body: String) throws -> Result<WebhookRequestDecoder.Decoded, IntakeRejection> {
        webhook.decode(try JSONParser.parse(Array(body.utf8)))
    }

    /// fuzz-webhook: `Int64(number)` trapped on a phone number past Int64.
    @Test(arguments: ["13812312345678901234567845678", "1e300", "-1e300", "9223372036854775808"])
    func aPhoneNumberTooLargeForAnIntegerIsNoTrap(number: String) throws {
        let result = try Self.decodeWebhook(#"{"description": "诉求", "requester": {"phone": \#(number)}}"#)
        // Read as no phone, like the visit decoder does: then nothing reaches the requester.
        guard case .failure(.unprocessable(let errors)) = result else {
            Issue.record("expected a 422, got \(result)")
            return
        }
        #expect(errors.contains { $0.message.contains("needs a way to reach the requester") })
    }

    @Test func aPhoneNumberSentAsANumberIsStillRead() throws {
        let decoded = try Self.decodeWebhook(#"{"description": "诉求", "requester": {"phone": 13812345678}}"#).get()
        #expect(decoded.drafts.first?.requesterPhone == "13812345678")
    }

    /// fuzz-splitter: a run of digits was read into an Int before its length was checked.
    @Test func aLongRunOfDigitsIsNoMarkerAndNoTrap() {
        let digits = String(repeating: "7", count: 76)
        #expect(DemandSplitter.split(digits + " \u{14} ") == [digits + " \u{14}"])
        let nines = "1、用地 " + String(repeating: "9", count: 40) + "、资金"
        #expect(DemandSplitter.split(nines) == [nines])
        #expect(DemandSplitter.split("1、用地；2、资金；" + String(repeating: "1", count: 30) + ". 人才") == ["用地", "资金；" + String(repeating: "1", count: 30) + ". 人才"])
    }

    /// Probe beside fuzz-splitter: every "1" followed its chain to the end of the notes, so
    /// 100 000 markers took minutes. Visit notes reach the splitter before their length is judged.
    @Test func notesOfManyMarkersSplitInLinearTime() {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(DemandSplitter.split(String(repeating: "①", count: 100_000)).count == 1)
            #expect(DemandSplitter.split(String(repeating: " 1、x", count: 50_000)).count == 1)
            #expect(DemandSplitter.split(String(repeating: "1、 2、 ", count: 30_000)).count == 1)
            let many = String(repeating: "（1）甲 ", count: 30_000) + "（2）乙"
            #expect(DemandSplitter.split(many).count == 2)
        }
        // Quadratic, these took over five minutes; linear, half a second in a debug build.
        #expect(elapsed < .seconds(10), "\(elapsed)")
    }

    @Test func chainsWithAnEmptyItemAreStillPassedOverForALaterOne() {
        // The chain from the first "1" has an empty item; the second's does not.
        #expect(DemandSplitter.split("1、 2、 1、用地 2、资金") == ["用地", "资金"])
        #expect(DemandSplitter.parts("前言：1、 2、a 1、甲；2、乙；3、丙").items == ["甲", "乙", "丙"])
        // Both chains run into the empty item after "2、": nothing is split.
        #expect(DemandSplitter.split("1、a 1、b 2、 3、c") == ["1、a 1、b 2、 3、c"])
    }

    /// fuzz-csv (the charset half): glibc's iconv passes code points past U+10FFFF through
    /// from "utf-8" (and "ucs-4"); the text got U+FFFD with no problem reported.
    @Test(arguments: [
        ("utf-8", [0xF4, 0x90, 0x80, 0x80] as [UInt8]),
        ("utf-8", [0xF8, 0x88, 0x80, 0x80, 0x80] as [UInt8]),
        ("ucs-4", [0x00, 0x00, 0x00, 0x41, 0x7F, 0xFF, 0xFF, 0xFF] as [UInt8]),
    ])
    func bytesIconvPassesThroughAsInvalidUTF8AreReported(charset: String, body: [UInt8]) {
        let headers = "From: a@example.cn\r\nSubject: x\r\nContent-Type: text/plain; charset=\(charset)\r\n\r\n"
        let parsed = MIMEParser.parse(Data(Array(headers.utf8) + body))
        #expect(parsed.text.contains("\u{FFFD}"))
        #expect(parsed.problems.contains { $0.contains("undecodable") }, "\(parsed.problems)")
    }

    /// Probes beside fuzz-mime: leading blank lines (text/plain) and leading <br> (HTML) were
    /// removed one at a time, each removal moving the rest of the text.
    @Test func leadingBlankLinesAreCutInLinearTime() {
        let clock = ContinuousClock()
        let plain = "From: a@example.cn\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + String(repeating: "\r\n", count: 1_000_000) + "  正文"
        let html = "From: a@example.cn\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            + String(repeating: "<br>", count: 500_000) + "正文"
        let elapsed = clock.measure {
            #expect(MIMEParser.parse(Data(plain.utf8)).text == "  正文")
            #expect(MIMEParser.parse(Data(html.utf8)).text == "正文")
        }
        // 21 s before the fix, under 2 s after, in a debug build.
        #expect(elapsed < .seconds(10), "\(elapsed)")
    }
}
