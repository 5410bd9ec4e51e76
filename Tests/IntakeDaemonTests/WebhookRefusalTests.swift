import Foundation
import IntakeStore
import IntakeTestSupport
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
        try await stopping(daemon) {
            let answer = try await daemon.post(sampleRequest(), headers: ["Idempotency-Key": "unsigned-1"])
            #expect(answer.status == 401)
            #expect(try answer.json()["error"] as? String == "unauthorized")
            try expectOnlyARefusalTrace(daemon)
            #expect(try daemon.database.traceEntries(for: "unsigned-1").map(\.step) == ["refused"])
        }
    }

    @Test func aStaleSignatureIs401WithTheReason() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let answer = try await daemon.postSigned(sampleRequest(), timestamp: Int(Date().timeIntervalSince1970) - 600)
            #expect(answer.status == 401)
            // "… 600 s old …" (a second or two more on a busy machine).
            let message = try #require(try answer.json()["message"] as? String)
            let age = message.components(separatedBy: " s old").first?.split(separator: " ").last.flatMap { Int($0) }
            #expect(age.map { $0 >= 600 && $0 < 660 } == true, "\(message)")
            try expectOnlyARefusalTrace(daemon)
        }
    }

    @Test func aSignatureOverOtherBytesIs401() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let answer = try await daemon.post(sampleRequest(), headers: ["X-Intake-Signature": signature(sampleRequest(ref: "other"))])
            #expect(answer.status == 401)
            #expect(try answer.json()["message"] as? String == "signature does not match")
            let wrongSecret = try await daemon.post(sampleRequest(), headers: ["X-Intake-Signature": signature(sampleRequest(), secret: "guess")])
            #expect(wrongSecret.status == 401)
            try expectOnlyARefusalTrace(daemon, count: 2)
        }
    }

    @Test func malformedJSONIs400WithTheByteOffset() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let answer = try await daemon.postSigned(#"{"description": "x",}"#)
            #expect(answer.status == 400)
            #expect((try answer.json()["message"] as? String)?.contains("at byte 20") == true)
            try expectOnlyARefusalTrace(daemon)
        }
    }

    @Test func invalidUTF8Is400() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            var body = Data(#"{"description": ""#.utf8)
            body.append(contentsOf: [0xC3, 0x28])
            body.append(contentsOf: Data(#"", "requester": {"phone": "12345"}}"#.utf8))
            let answer = try await HTTPAnswer.send(
                port: daemon.port, method: "POST", path: "/v1/requests", body: body, headers: ["X-Intake-Signature": signature(body)])
            #expect(answer.status == 400)
            #expect((try answer.json()["message"] as? String)?.contains("invalid UTF-8") == true)
            try expectOnlyARefusalTrace(daemon)
        }
    }

    @Test func aMissingDescriptionIs422NamingTheField() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let answer = try await daemon.postSigned(#"{"requester": {"phone": "138 1234 5678"}, "priority": "high"}"#)
            #expect(answer.status == 422)
            let errors = try #require(try answer.json()["errors"] as? [[String: String]])
            #expect(errors.contains { $0["field"] == "/description" && $0["message"] == "is required" })
            #expect(errors.contains { $0["field"] == "/priority" })
            try expectOnlyARefusalTrace(daemon)
        }
    }

    @Test func aRequestNobodyCanBeReachedFromIs422() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let answer = try await daemon.postSigned(#"{"description": "路灯坏了", "requester": {"name": "匿名"}}"#)
            #expect(answer.status == 422)
            #expect(answer.text.contains("requester.phone"))
            let batch = try await daemon.postSigned(#"{"requests": [{"description": "a", "requester": {"phone": 13812345678}}, {"description": 5}]}"#)
            #expect(batch.status == 422)
            #expect(batch.text.contains("/requests/1/description"))
            try expectOnlyARefusalTrace(daemon, count: 2)
        }
    }

    @Test func aTwoMebibyteBodyIs413() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let filler = String(repeating: "诉", count: (2 << 20) / 3)
            let answer = try await daemon.postSigned(sampleRequest(description: filler))
            #expect(answer.status == 413)
            #expect(try answer.json()["error"] as? String == "too_large")
            try expectOnlyARefusalTrace(daemon)
        }
    }

    /// A body over the limit is refused alike whether its length is declared or it arrives
    /// chunked: 413 with the JSON answer, and a `refused` trace step (a chunked one got a bare 413).
    @Test func aChunkedBodyOverTheLimitGetsTheSameAnswerAndTraceAsADeclaredOne() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let body = sampleRequest(description: String(repeating: "诉", count: (2 << 20) / 3))
            let declared = try await daemon.postSigned(body, key: "declared-1")
            let connection = try RawConnection(port: daemon.port)
            var head = "POST /v1/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            head += "X-Intake-Signature: \(signature(body))\r\nIdempotency-Key: chunked-1\r\nTransfer-Encoding: chunked\r\n\r\n"
            try connection.send(head)
            let bytes = Data(body.utf8)
            var sent = 0
            while sent < bytes.count {
                let chunk = bytes[sent..<min(sent + 65536, bytes.count)]
                try? connection.send(String(chunk.count, radix: 16) + "\r\n")
                try? connection.send(Data(chunk) + Data("\r\n".utf8))
                sent += chunk.count
            }
            try? connection.send("0\r\n\r\n")
            let chunked = try #require(connection.readResponse())
            #expect(declared.status == 413)
            #expect(chunked.status == 413)
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(chunked.body.utf8)) as? [String: Any])
            #expect(answer["error"] as? String == "too_large")
            #expect(answer["message"] as? String == (try declared.json()["message"] as? String))
            try expectOnlyARefusalTrace(daemon, count: 2)
            #expect(try daemon.database.traceEntries(for: "chunked-1").map(\.step) == ["refused"])
        }
    }

    /// Only `application/json` (no charset, or UTF-8) is taken on /v1/requests; a signed JSON
    /// body sent as a form or as text is refused with 415 naming what is accepted.
    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1", "application/jsonx"])
    func aBodyThatIsNotSentAsJSONIs415(contentType: String) async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let body = sampleRequest()
            let answer = try await daemon.post(body, headers: ["X-Intake-Signature": signature(body), "Content-Type": contentType])
            #expect(answer.status == 415)
            #expect(try answer.json()["error"] as? String == "unsupported_media_type")
            let message = try #require(try answer.json()["message"] as? String)
            #expect(message.contains(contentType) && message.contains("send application/json"), "\(message)")
            try expectOnlyARefusalTrace(daemon)
        }
    }

    @Test func jsonWithOrWithoutAUTF8CharsetIsTaken() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            for (index, contentType) in ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\""].enumerated() {
                let body = sampleRequest(ref: "json-\(index)")
                let answer = try await daemon.post(body, headers: ["X-Intake-Signature": signature(body), "Content-Type": contentType])
                #expect(answer.status == 202, "\(contentType): \(answer.text)")
            }
        }
    }

    @Test func visitsTakeJSONOrMultipartAndNothingElse() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let body = VisitChannelTests.visit()
            let form = try await daemon.post(
                body, headers: ["X-Intake-Signature": signature(body), "Content-Type": "application/x-www-form-urlencoded"], path: "/v1/visits")
            #expect(form.status == 415)
            let message = try #require(try form.json()["message"] as? String)
            #expect(message.contains("application/json") && message.contains("multipart/form-data"), "\(message)")
            let json = try await daemon.post(body, headers: ["X-Intake-Signature": signature(body)], path: "/v1/visits")
            #expect(json.status == 202, "\(json.text)")
            #expect(try daemon.database.refusals().count == 1)
        }
    }
}

@Suite struct WebhookStoreOutageTests {
    @Test func aStoreThatCannotCommitAnswers503WithRetryAfter() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            daemon.database.close()
            let answer = try await daemon.postSigned(sampleRequest(), key: "outage-1")
            #expect(answer.status == 503)
            #expect(answer.header("Retry-After") == "5")
            #expect(try answer.json()["error"] as? String == "unavailable")
            #expect(try daemon.database.caseCount() == 0)
            #expect(try daemon.database.rawInputCount() == 0)
        }
    }
}
