import Foundation
import IntakeTestSupport
import Logging
import Synchronization
import Testing
@testable import IntakeDaemon

/// The lines a `JournalLogHandler` wrote, kept in memory.
private final class CapturedLines: Sendable {
    private let lines = Mutex<[[UInt8]]>([])

    var bytes: [[UInt8]] { lines.withLock { $0 } }
    var text: [String] { bytes.map { String(decoding: $0, as: UTF8.self) } }

    func logger(
        format: JournalLogHandler.Format = .logfmt,
        includeTimestamp: Bool = false,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> Logger {
        Logger(label: "intake") { label in
            var handler = JournalLogHandler(
                label: label, format: format, includeTimestamp: includeTimestamp, metadataProvider: metadataProvider
            ) { line in self.lines.withLock { $0.append(line) } }
            handler.logLevel = .trace
            return handler
        }
    }

    /// Each line as the JSON object it holds, after its `<N>` prefix.
    func jsonObjects() throws -> [[String: String]] {
        try bytes.map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.drop { $0 != UInt8(ascii: ">") }.dropFirst()))
            return try #require(object as? [String: String])
        }
    }
}

@Suite struct JournalLogHandlerTests {
    struct RefusedUpload: Error {}

    @Test func priorityPrefixFollowsLevel() {
        let captured = CapturedLines()
        let logger = captured.logger()
        for level in Logger.Level.allCases { logger.log(level: level, "event") }
        #expect(captured.text == [
            "<7>level=trace msg=event label=intake\n",
            "<7>level=debug msg=event label=intake\n",
            "<6>level=info msg=event label=intake\n",
            "<5>level=notice msg=event label=intake\n",
            "<4>level=warning msg=event label=intake\n",
            "<3>level=error msg=event label=intake\n",
            "<2>level=critical msg=event label=intake\n",
        ])
    }

    @Test func logfmtQuotesOnlyValuesThatNeedIt() {
        let captured = CapturedLines()
        captured.logger().info("webhook request refused", metadata: [
            "intake.source": "portal", "http.status": .stringConvertible(401), "note": "a=b", "empty": "",
            "quote": #"say "hi""#, "path": #"C:\dir"#,
        ])
        #expect(captured.text == [
            ##"<6>level=info msg="webhook request refused" label=intake empty="" http.status=401 intake.source=portal note="a=b" path=C:\dir quote="say \"hi\"""## + "\n"
        ])
    }

    @Test(arguments: [JournalLogHandler.Format.logfmt, .json])
    func injectedLineBreaksCannotStartALine(format: JournalLogHandler.Format) {
        let captured = CapturedLines()
        captured.logger(format: format).warning("refused\r\n<2>fake", metadata: [
            "intake.source": "x\n<3>fake", "evil\nkey": "\u{0}\u{1b}[31m\u{2028}\u{85}",
        ])
        let line = captured.bytes[0]
        // Only the final newline is a control byte, and nothing but escapes remain of the injected ones.
        #expect(line.dropLast().allSatisfy { $0 >= 0x20 && $0 != 0x7F })
        #expect(line.last == UInt8(ascii: "\n"))
        let text = captured.text[0]
        #expect(text.contains(#"x\n<3>fake"#))
        #expect(text.contains(#"\u0000\u001b[31m\u2028\u0085"#))
        #expect(!text.contains("\u{2028}") && !text.contains("\u{85}"))
    }

    @Test func secretValuesAreRedacted() throws {
        let captured = CapturedLines()
        captured.logger(format: .json).info("webhook request refused", metadata: [
            "password": "hunter2", "X-Hub-Signature-256": "sha256=abc", "api_token": "t0k3n", "clientSecret": "s3cr3t",
            "http": ["headers": ["Authorization": "Bearer abc"]], "intake.source": "portal",
            "attempts": [["TOKEN": "t0k3n"]],
        ])
        let object = try #require(try captured.jsonObjects().first)
        #expect(object["password"] == "[redacted]")
        #expect(object["X-Hub-Signature-256"] == "[redacted]")
        #expect(object["api_token"] == "[redacted]")
        #expect(object["clientSecret"] == "[redacted]")
        #expect(object["http.headers.Authorization"] == "[redacted]")
        #expect(object["attempts"] == "[[TOKEN: [redacted]]]")
        #expect(object["intake.source"] == "portal")
        for secret in ["hunter2", "sha256=abc", "t0k3n", "s3cr3t", "Bearer"] { #expect(!captured.text[0].contains(secret)) }
    }

    @Test func longValuesAreTruncatedWithTheirSize() throws {
        let captured = CapturedLines()
        let body = String(repeating: "a", count: 5000)
        let chinese = String(repeating: "中", count: 500)  // 1500 bytes; the cut must not split a character
        captured.logger(format: .json).info("request body", metadata: ["body": "\(body)", "text": "\(chinese)"])
        let object = try #require(try captured.jsonObjects().first)
        #expect(object["body"] == String(repeating: "a", count: 1024) + "…(5000 bytes)")
        #expect(object["text"] == String(repeating: "中", count: 341) + "…(1500 bytes)")
    }

    @Test func jsonLinesParseAndCarryMergedMetadata() throws {
        let captured = CapturedLines()
        let provider = Logger.MetadataProvider { ["trace.id": "abc", "request.id": "provider"] }
        var logger = captured.logger(format: .json, metadataProvider: provider)
        logger[metadataKey: "intake.channel"] = "webhook"
        logger[metadataKey: "request.id"] = "handler"
        logger.error(#"upload "refused" \ é"#, error: RefusedUpload(), metadata: [
            "request.id": "call", "http": ["status": .stringConvertible(401)], "tags": ["a", "b"], "msg": "spoofed",
        ])
        logger.info("second")
        let objects = try captured.jsonObjects()
        #expect(captured.text.allSatisfy { $0.hasSuffix("}\n") && $0.filter { $0 == "\n" }.count == 1 })
        #expect(captured.text[0].hasPrefix(#"<3>{"level":"error","msg":"#))
        #expect(objects == [
            [
                "level": "error", "msg": #"upload "refused" \ é"#, "label": "intake",
                "intake.channel": "webhook", "trace.id": "abc", "request.id": "call", "http.status": "401",
                "tags": "[a, b]", "metadata.msg": "spoofed",
                "error.message": "RefusedUpload()", "error.type": "IntakeDaemonTests.JournalLogHandlerTests.RefusedUpload",
            ],
            [
                "level": "info", "msg": "second", "label": "intake",
                "intake.channel": "webhook", "trace.id": "abc", "request.id": "provider",
            ],
        ])
    }

    @Test func timestampIsWrittenOnlyWhenAskedFor() throws {
        let captured = CapturedLines()
        captured.logger(includeTimestamp: true).info("started")
        captured.logger().info("started")
        let stamped = try #require(captured.text.first)
        #expect(stamped.wholeMatch(of: /<6>ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info msg=started label=intake\n/) != nil)
        #expect(captured.text[1] == "<6>level=info msg=started label=intake\n")
    }
}
