import Foundation
import IntakeStore
import Testing

/// Every refusal answers with a status and a JSON body that says what and where, and leaves
/// nothing in the store but a trace of the refusal.
@Suite struct WebhookRefusalTests {
    func expectOnlyARefusalTrace(_ daemon: TestDaemon, count: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try daemon.database.caseCount() == 0, sourceLocation: sourceLocation)
        #expect(try daemon.database.rawInputCount() == 0, sourceLocation: sourceLocation)
        #expect(try daemon.database.ledgerCount() == 0, sourceLocation: sourceLocation)
        #expect(try daemon.database.outboxCounts() == (0, 0, 0), sourceLocation: sourceLocation)
        #expect(try daemon.database.refusals().count == count, sourceLocation: sourceLocation)
    }

    @Test func anUnsignedRequestIs401() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        let answer = try await daemon.post(sampleRequest(), headers: ["Idempotency-Key": "unsigned-1"])
        #expect(answer.status == 401)
        #expect(try answer.json()["error"] as? String == "unauthorized")
        try expectOnlyARefusalTrace(daemon)
        #expect(try daemon.database.traceEntries(for: "unsigned-1").map(\.step) == ["refused"])
    }

    @Test func aStaleSignatureIs401WithTheReason() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        let answer = try await daemon.postSigned(sampleRequest(), timestamp: Int(Date().timeIntervalSince1970) - 600)
        #expect(answer.status == 401)
        // "… 600 s old …" (a second or two more on a busy machine).
        let message = try #require(try answer.json()["message"] as? String)
        let age = message.components(separatedBy: " s old").first?.split(separator: " ").last.flatMap { Int($0) }
        #expect(age.map { $0 >= 600 && $0 < 660 } == true, "\(message)")
        try expectOnlyARefusalTrace(daemon)
    }

    @Test func aSignatureOverOtherBytesIs401() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        let answer = try await daemon.post(sampleRequest(), headers: ["X-Intake-Signature": signature(sampleRequest(ref: "other"))])
        #expect(answer.status == 401)
        #expect(try answer.json()["message"] as? String == "signature does not match")
        let wrongSecret = try await daemon.post(sampleRequest(), headers: ["X-Intake-Signature": signature(sampleRequest(), secret: "guess")])
        #expect(wrongSecret.status == 401)
        try expectOnlyARefusalTrace(daemon, count: 2)
    }

    @Test func malformedJSONIs400WithTheByteOffset() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        let answer = try await daemon.postSigned(#"{"description": "x",}"#)
        #expect(answer.status == 400)
        #expect((try answer.json()["message"] as? String)?.contains("at byte 20") == true)
        try expectOnlyARefusalTrace(daemon)
    }

    @Test func invalidUTF8Is400() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        var body = Data(#"{"description": ""#.utf8)
        body.append(contentsOf: [0xC3, 0x28])
        body.append(contentsOf: Data(#"", "requester": {"phone": "12345"}}"#.utf8))
        let answer = try await HTTPAnswer.send(
            port: daemon.port, method: "POST", path: "/v1/requests", body: body, headers: ["X-Intake-Signature": signature(body)])
        #expect(answer.status == 400)
        #expect((try answer.json()["message"] as? String)?.contains("invalid UTF-8") == true)
        try expectOnlyARefusalTrace(daemon)
    }

    @Test func aMissingDescriptionIs422NamingTheField() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        let answer = try await daemon.postSigned(#"{"requester": {"phone": "138 1234 5678"}, "priority": "high"}"#)
        #expect(answer.status == 422)
        let errors = try #require(try answer.json()["errors"] as? [[String: String]])
        #expect(errors.contains { $0["field"] == "/description" && $0["message"] == "is required" })
        #expect(errors.contains { $0["field"] == "/priority" })
        try expectOnlyARefusalTrace(daemon)
    }

    @Test func aRequestNobodyCanBeReachedFromIs422() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        let answer = try await daemon.postSigned(#"{"description": "路灯坏了", "requester": {"name": "匿名"}}"#)
        #expect(answer.status == 422)
        #expect(answer.text.contains("requester.phone"))
        let batch = try await daemon.postSigned(#"{"requests": [{"description": "a", "requester": {"phone": 13812345678}}, {"description": 5}]}"#)
        #expect(batch.status == 422)
        #expect(batch.text.contains("/requests/1/description"))
        try expectOnlyARefusalTrace(daemon, count: 2)
    }

    @Test func aTwoMebibyteBodyIs413() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        let filler = String(repeating: "诉", count: (2 << 20) / 3)
        let answer = try await daemon.postSigned(sampleRequest(description: filler))
        #expect(answer.status == 413)
        #expect(try answer.json()["error"] as? String == "too_large")
        try expectOnlyARefusalTrace(daemon)
    }
}

@Suite struct WebhookStoreOutageTests {
    @Test func aStoreThatCannotCommitAnswers503WithRetryAfter() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        daemon.database.close()
        let answer = try await daemon.postSigned(sampleRequest(), key: "outage-1")
        #expect(answer.status == 503)
        #expect(answer.header("Retry-After") == "5")
        #expect(try answer.json()["error"] as? String == "unavailable")
        #expect(try daemon.database.caseCount() == 0)
        #expect(try daemon.database.rawInputCount() == 0)
    }
}
