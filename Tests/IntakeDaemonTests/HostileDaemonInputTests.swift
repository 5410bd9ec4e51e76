import Foundation
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Testing
@testable import IntakeChannels

/// Hostile input end to end: names that try to be paths, values that try to become HTTP
/// headers, and the signature compare.
@Suite struct HostileDaemonInputTests {
    @Test func attachmentNamesThatArePathsStayNamesAndBytesLiveUnderTheirHash() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let marker = UUID().uuidString
            let names = ["../../../../tmp/pwned-\(marker)", "/tmp/abs-\(marker)", "CON", "a\\u0000b.jpg"]
            let attachments = names.enumerated().map { index, name in
                #"{"name": "\#(name)", "media_type": "image/jpeg", "content_base64": "\#(Data("photo \(index)".utf8).base64EncodedString())"}"#
            }.joined(separator: ", ")
            let answer = try await daemon.postSigned(sampleRequest(ref: "hostile-names", extra: #", "attachments": [\#(attachments)]"#))
            #expect(answer.status == 202, "\(answer.text)")
            let files = try await daemon.environment.waitForEventFiles(count: 1)
            let stored = try caseOf(daemon.environment, files[0]).attachments
            #expect(stored.map(\.name) == ["pwned-\(marker)", "abs-\(marker)", "_CON", "ab.jpg"])
            #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned-\(marker)"))
            #expect(!FileManager.default.fileExists(atPath: "/tmp/abs-\(marker)"))
            // Every blob is named by its SHA-256, nothing else.
            let blobs = daemon.environment.directory.appendingPathComponent("blobs")
            let enumerator = FileManager.default.enumerator(at: blobs, includingPropertiesForKeys: [.isRegularFileKey])
            var blobNames: [String] = []
            while let url = enumerator?.nextObject() as? URL {
                if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { blobNames.append(url.lastPathComponent) }
            }
            #expect(blobNames.count == 4)
            #expect(blobNames.allSatisfy { $0.count == 64 && $0.allSatisfy(\.isHexDigit) }, "\(blobNames)")
        }
    }

    /// `QUJD!!!!` was taken as "ABC", `%%%%` and base64url as empty attachments; both channels
    /// now refuse them with 422 and the attachment's JSON pointer, and take nothing.
    @Test(arguments: ["QUJD!!!!", "%%%%", "--------"])
    func invalidBase64IsRefusedByTheWebhookAndTheVisitChannelAlike(content: String) async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let attachment = #"[{"name": "a.pdf", "media_type": "application/pdf", "content_base64": "\#(content)"}]"#
            let webhook = try await daemon.postSigned(sampleRequest(ref: "base64-\(content)", extra: #", "attachments": \#(attachment)"#))
            #expect(webhook.status == 422, "\(webhook.text)")
            let webhookErrors = try #require(try webhook.json()["errors"] as? [[String: String]])
            #expect(webhookErrors.map { $0["field"] } == ["/attachments/0/content_base64"])
            #expect(webhookErrors.first?["message"]?.hasPrefix("is not valid base64: ") == true)
            let (status, visits) = try await VisitChannelTests.upload(daemon, VisitChannelTests.visit(attachments: attachment))
            #expect(status == 422)
            // One decoder, one message, under the same pointer.
            #expect(visits.first?["errors"] as? [String] == ["/attachments/0/content_base64: \(webhookErrors.first?["message"] ?? "")"], "\(visits)")
            #expect(try daemon.database.caseCount() == 0)
        }
    }

    @Test func aRefWithLineBreaksNeverBecomesAnOutboundHeader() async throws {
        let receiver = try await TestReceiver.start()
        try await stopping(receiver) {
            let daemon = try await TestDaemon.start(TestEnvironment(sinkYAML: "    type: http\n    url: \(receiver.url)"))
            try await stopping(daemon) {
                let answer = try await daemon.postSigned(sampleRequest(ref: #"evil\r\nX-Injected: 1\r\n\r\nGET / HTTP/1.1"#))
                if answer.status == 202 {
                    try await waitUntil(timeoutSecs: 10) { !receiver.received.isEmpty }
                    let request = try #require(receiver.received.first)
                    #expect(!request.fields.contains { $0.name.lowercased() == "x-injected" }, "\(request.fields)")
                    #expect(request.fields.allSatisfy { !$0.value.contains("\r") && !$0.value.contains("\n") })
                    #expect(String(decoding: request.body, as: UTF8.self).contains(#"evil\r\nX-Injected"#), "the ref travels escaped in the JSON body")
                } else {
                    #expect(answer.status == 422, "refused as invalid, or taken and escaped: \(answer.text)")
                }
            }
        }
    }

    @Test func secretComparisonLooksAtEveryByte() {
        let secret = Array("s3cret-token-of-some-length".utf8)
        #expect(constantTimeEqual(secret, secret))
        var first = secret
        first[0] ^= 1
        var last = secret
        last[last.count - 1] ^= 1
        #expect(!constantTimeEqual(secret, first))
        #expect(!constantTimeEqual(secret, last))
        #expect(!constantTimeEqual(secret, Array(secret.dropLast())), "a prefix is not equal")
        #expect(!constantTimeEqual([], secret))
    }
}

