import Foundation
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Testing

@Suite struct WebhookTests {
    @Test func aSignedRequestIsAcceptedAndForwardedAsAFileEvent() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let answer = try await daemon.postSigned(sampleRequest(), key: "k-1")
            #expect(answer.status == 202)
            let cases = try #require(try answer.json()["cases"] as? [[String: Any]])
            #expect(cases.count == 1)
            let id = try #require(cases[0]["id"] as? String)
            #expect(cases[0]["status"] as? String == "created")
            #expect(cases[0]["ref"] as? String == "portal-20260226-0042")

            let files = try await daemon.environment.waitForEventFiles(count: 1, timeoutSecs: 1)
            #expect(files == ["\(id).created.json"])
            let event = try readEvent(daemon.environment, files[0])
            #expect(event.event == .created)
            #expect(event.idempotencyKey == "\(id).created")
            let body = event.case
            #expect(body.id == id)
            #expect(body.requester.phone == "+8613812345678")
            #expect(body.enterprise.usccValid == true)
            #expect(body.description == "我司厂房用地规划许可已提交两个月，请问目前进度如何？", "the requester's punctuation as written")
            #expect(body.extra["category"]?.stringValue == "土地")
            #expect(body.receivedAt.hasSuffix("+08:00") == true)
            try expectEventsMatchSchema(in: daemon.environment)
        }
    }

    @Test func theSameIdempotencyKeyGetsTheSameAnswerAndNothingNew() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let body = sampleRequest()
            let first = try await daemon.postSigned(body, key: "retry-me")
            let second = try await daemon.postSigned(body, key: "retry-me")
            #expect(first.status == 202)
            #expect(second.status == 202)
            #expect(second.body == first.body)
            #expect(second.header("Idempotent-Replayed") == "true")
            #expect(try daemon.database.caseCount() == 1)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try daemon.environment.eventFiles().count == 1)
            try expectEventsMatchSchema(in: daemon.environment)
        }
    }

    @Test func theSameKeyWithADifferentBodyIsRefused() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            _ = try await daemon.postSigned(sampleRequest(ref: "a"), key: "k")
            let answer = try await daemon.postSigned(sampleRequest(ref: "b"), key: "k")
            #expect(answer.status == 422)
            #expect(answer.text.contains("Idempotency-Key"))
            #expect(try daemon.database.caseCount() == 1)
        }
    }

    @Test func theSameRefUnderANewKeyCreatesNothingNew() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let first = try await daemon.postSigned(sampleRequest(ref: "portal-7"), key: "k-a")
            let second = try await daemon.postSigned(sampleRequest(ref: "portal-7", extra: #", "note": "resent""#), key: "k-b")
            let firstCase = try #require((try first.json()["cases"] as? [[String: Any]])?.first)
            let secondCase = try #require((try second.json()["cases"] as? [[String: Any]])?.first)
            #expect(secondCase["id"] as? String == firstCase["id"] as? String)
            #expect(secondCase["status"] as? String == "repeat")
            #expect(try daemon.database.caseCount() == 1)
        }
    }

    @Test func withoutARefTheIdempotencyKeyIsTheRef() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let answer = try await daemon.postSigned(sampleRequest(ref: nil), key: "portal-key-9")
            let created = try #require((try answer.json()["cases"] as? [[String: Any]])?.first)
            #expect(created["ref"] as? String == "portal-key-9")
        }
    }

    @Test func aBatchBecomesOneCasePerRequest() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let batch = #"{"requests": [\#(sampleRequest(ref: "b-1")), \#(sampleRequest(ref: "b-2", description: "第二个诉求"))]}"#
            let answer = try await daemon.postSigned(batch, key: "batch-1")
            #expect(answer.status == 202)
            let cases = try #require(try answer.json()["cases"] as? [[String: Any]])
            #expect(cases.map { $0["ref"] as? String } == ["b-1", "b-2"])
            #expect(try daemon.database.caseCount() == 2)
            #expect(try await daemon.environment.waitForEventFiles(count: 2).count == 2)
            try expectEventsMatchSchema(in: daemon.environment)
        }
    }

    @Test func aBearerTokenSourceIsAccepted() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let answer = try await daemon.post(sampleRequest(), headers: ["Authorization": "Bearer \(bearerToken)"])
            #expect(answer.status == 202)
            let id = try #require((try answer.json()["cases"] as? [[String: Any]])?.first?["id"] as? String)
            let document = try #require(try daemon.database.caseDocument(id: id))
            #expect(document.contains(#""source":"partner""#))
            let wrong = try await daemon.post(sampleRequest(ref: "x"), headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == 401)
        }
    }

    @Test func attachmentsGoToTheBlobStoreUnderTheirHash() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let content = Data("%PDF-1.4 申请表".utf8)
            let attachment = #", "attachments": [{"name": "../../etc/申请表.pdf", "media_type": "application/pdf", "content_base64": "\#(content.base64EncodedString())"}]"#
            let answer = try await daemon.postSigned(sampleRequest(extra: attachment))
            #expect(answer.status == 202)
            let files = try await daemon.environment.waitForEventFiles(count: 1)
            let event = try readEvent(daemon.environment, files[0])
            let attachments = event.case.attachments
            #expect(attachments.first?.name == "申请表.pdf")
            #expect(attachments.first?.size == content.count)
            let sha = try #require(attachments.first?.sha256)
            let blob = daemon.environment.directory.appendingPathComponent("blobs/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)")
            #expect(try Data(contentsOf: blob) == content)
            try expectEventsMatchSchema(in: daemon.environment)
        }
    }

    @Test func anAttachmentOverTheLimitIsRefusedWithItsField() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let big = Data(repeating: 0x41, count: 5000).base64EncodedString()
            let answer = try await daemon.postSigned(sampleRequest(extra: #", "attachments": [{"name": "a.bin", "content_base64": "\#(big)"}]"#))
            #expect(answer.status == 422)
            #expect(answer.text.contains("/attachments/0/content_base64"))
            #expect(try daemon.database.caseCount() == 0)
        }
    }

    /// The requester's phone, code and words as written, apart from what is canonical: an
    /// invalid USCC kept exactly, a phone libphonenumber does not call valid kept as typed, an
    /// extension apart from its number, full-width punctuation untouched.
    @Test func identityFieldsAreCanonicalWhenValidAndAsWrittenWhenNot() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let invalid = #"{"ref": "as-written-1", "description": "请问（一）进度如何？", "requester": {"phone": "010-7596480"}, "enterprise": {"uscc": " 91120116ma07k3rd94 "}}"#
            let valid = #"{"ref": "as-written-2", "description": "请问进度？", "requester": {"phone": "022-88839428转8001"}, "enterprise": {"uscc": "9112 0116 ma07 k3rd 93"}}"#
            for body in [invalid, valid] { #expect(try await daemon.postSigned(body).status == 202) }
            let files = try await daemon.environment.waitForEventFiles(count: 2)
            let cases = try files.map { try caseOf(daemon.environment, $0) }
            let first = try #require(cases.first { $0.ref == "as-written-1" })
            #expect(first.requester.phone == "010-7596480")
            #expect(first.enterprise.uscc == "91120116ma07k3rd94")
            #expect(first.enterprise.usccValid == false)
            #expect(first.description == "请问（一）进度如何？")
            let second = try #require(cases.first { $0.ref == "as-written-2" })
            #expect(second.requester.phone == "+862288839428")
            #expect(second.requester.phoneExtension == "8001")
            #expect(second.enterprise.uscc == "91120116MA07K3RD93")
            #expect(second.enterprise.usccValid == true)
        }
    }

    @Test func unknownFieldsAreKeptInExtra() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let answer = try await daemon.postSigned(sampleRequest(extra: #", "portal_user": {"id": 42}, "requester_wechat": "zhang88""#))
            let id = try #require((try answer.json()["cases"] as? [[String: Any]])?.first?["id"] as? String)
            let document = try #require(try daemon.database.caseDocument(id: id))
            #expect(document.contains(#""portal_user":{"id":42}"#))
            #expect(document.contains(#""requester_wechat":"zhang88""#))
        }
    }
}
