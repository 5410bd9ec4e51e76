import Crypto
import Foundation
import IntakeForwarding
import IntakeStore
import IntakeTestSupport
import Testing

@Suite struct HTTPSinkTests {
    @Test func a2xxIsDeliveredOnceWithKeyAndSignature() async throws {
        let receiver = try await TestReceiver.start()
        let sink = HTTPSink(configuration: .init(url: receiver.url, secret: Data("routing-secret".utf8)))
        let harness = try ForwardingHarness(sink: sink)
        let value = try await harness.enqueueCase(ref: "a")
        #expect(try await harness.waitUntilSettled() == (0, 1, 0))
        let request = try #require(receiver.received.first)
        #expect(receiver.received.count == 1)
        #expect(request.idempotencyKey == "\(value.id).created")
        let signature = try #require(request.signature)
        let parts = Dictionary(uniqueKeysWithValues: signature.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }.map { ($0[0], $0[1]) })
        var signed = Data("\(parts["t"]!).".utf8)
        signed.append(request.body)
        let expected = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data("routing-secret".utf8)))
        #expect(parts["v1"] == expected.map { String(format: "%02x", $0) }.joined())
        await harness.stop()
        await receiver.stop()
    }

    @Test func threeServerErrorsThenSuccessTakeFourAttemptsWithGrowingBackoff() async throws {
        let receiver = try await TestReceiver.start()
        receiver.script([.init(status: 500), .init(status: 500), .init(status: 500)])
        let harness = try ForwardingHarness(
            sink: HTTPSink(configuration: .init(url: receiver.url)),
            retry: RetryPolicy(initialBackoffSecs: 0.25, maxBackoffSecs: 5, maxAttempts: 10, fullJitter: false))
        let value = try await harness.enqueueCase(ref: "flaky")
        #expect(try await harness.waitUntilSettled() == (0, 1, 0))
        let times = receiver.received.map(\.at)
        #expect(times.count == 4)
        // The schedule the forwarder recorded for each retry: the backoff doubles. (Wall-clock
        // gaps on the receiver add whatever the machine is busy with, so they are checked
        // only against the schedule: no retry comes before its time.)
        let failures = try harness.database.traceEntries(for: value.id).filter { $0.step == "delivery_failed" }
        let retryAt = try failures.map { failure -> Double in
            let detail = try #require(try JSONSerialization.jsonObject(with: Data((failure.detail ?? "{}").utf8)) as? [String: Any])
            return try #require(detail["retry_at"] as? Double)
        }
        let backoffs = zip(retryAt, failures).map { $0 - $1.at.timeIntervalSince1970 }
        #expect(backoffs.count == 3)
        for (backoff, expected) in zip(backoffs, [0.25, 0.5, 1.0]) {
            #expect(abs(backoff - expected) < 0.01, "backoffs \(backoffs)")
        }
        for (index, scheduled) in retryAt.enumerated() {
            #expect(times[index + 1].timeIntervalSince1970 >= scheduled - 0.005, "retry \(index + 1) came before its time")
        }
        let steps = try harness.database.traceEntries(for: value.id).map(\.step)
        #expect(steps == ["received", "normalised", "stored", "queued", "delivery_failed", "delivery_failed", "delivery_failed", "delivered"])
        await harness.stop()
        await receiver.stop()
    }

    @Test func retryAfterIsHonoured() async throws {
        let receiver = try await TestReceiver.start()
        receiver.script([.init(status: 429, headers: ["Retry-After": "2"])])
        let harness = try ForwardingHarness(sink: HTTPSink(configuration: .init(url: receiver.url)))
        try await harness.enqueueCase(ref: "slow-down")
        #expect(try await harness.waitUntilSettled() == (0, 1, 0))
        let times = receiver.received.map(\.at)
        #expect(times.count == 2)
        #expect(times[1].timeIntervalSince(times[0]) >= 2)
        await harness.stop()
        await receiver.stop()
    }

    @Test func a400IsDeadAtOnceWithStatusAndBodyKept() async throws {
        let receiver = try await TestReceiver.start()
        receiver.script([.init(status: 400, body: #"{"error":"missing department"}"#)])
        let harness = try ForwardingHarness(sink: HTTPSink(configuration: .init(url: receiver.url)))
        try await harness.enqueueCase(ref: "bad")
        #expect(try await harness.waitUntilSettled() == (0, 0, 1))
        #expect(receiver.received.count == 1)
        let letter = try #require(try harness.database.deadLetters().first)
        #expect(letter.lastError == #"HTTP 400: {"error":"missing department"}"#)
        #expect(letter.attempts == 1)
        await harness.stop()
        await receiver.stop()
    }

    @Test func aReceiverDownForAWhileGetsEverythingInPerCaseOrder() async throws {
        let port = DaemonProcess.freePort()
        let sink = HTTPSink(configuration: .init(url: "http://127.0.0.1:\(port)/events", connectTimeoutMillis: 500))
        let harness = try ForwardingHarness(sink: sink, retry: RetryPolicy(initialBackoffSecs: 0.05, maxBackoffSecs: 0.3, maxAttempts: 100))
        var cases = [IntakeCaseRef]()
        for index in 0..<5 {
            let value = try await harness.enqueueCase(ref: "outage-\(index)")
            try await harness.enqueueUpdate(of: value)
            cases.append(IntakeCaseRef(id: value.id))
        }
        try await Task.sleep(for: .milliseconds(600))
        #expect(try harness.database.outboxCounts().pending == 10)
        let receiver = try await TestReceiver.start(port: port)
        #expect(try await harness.waitUntilSettled() == (0, 10, 0))
        let keys = receiver.eventKeys
        #expect(Set(keys).count == 10)
        #expect(keys.count == 10, "no key delivered twice once the receiver is up")
        for value in cases {
            let created = try #require(keys.firstIndex(of: "\(value.id).created"))
            let updated = try #require(keys.firstIndex(of: "\(value.id).updated"))
            #expect(created < updated)
        }
        await harness.stop()
        await receiver.stop()
    }

    @Test func batchesCarryManyEventsPerPost() async throws {
        let receiver = try await TestReceiver.start()
        let harness = try ForwardingHarness(sink: HTTPSink(configuration: .init(url: receiver.url, batchSize: 10, concurrency: 2)))
        try await harness.enqueueCases(refs: (0..<25).map { "batch-\($0)" })
        #expect(try await harness.waitUntilSettled() == (0, 25, 0))
        #expect(Set(receiver.eventKeys).count == 25)
        #expect(receiver.received.count < 25)
        await harness.stop()
        await receiver.stop()
    }

    @Test func aBatchCarriesEachEventsOwnKeyAndNoBatchKeyAcrossRetries() async throws {
        let receiver = try await TestReceiver.start()
        receiver.script([.init(status: 503), .init(status: 503)])
        let harness = try ForwardingHarness(
            sink: HTTPSink(configuration: .init(url: receiver.url, batchSize: 4, concurrency: 2)),
            retry: RetryPolicy(initialBackoffSecs: 0.05, maxBackoffSecs: 0.2, maxAttempts: 10))
        let expected = Set(try await harness.enqueueCases(refs: (0..<10).map { "keys-\($0)" }).map { "\($0.id).created" })
        #expect(try await harness.waitUntilSettled() == (0, 10, 0))
        #expect(receiver.received.count > 3, "two batches were answered 503 and sent again")
        // The de-duplication unit is the event: every attempt of an event carries its one key,
        // whatever batch it travels in; a POST of a batch has no key of its own.
        #expect(receiver.received.allSatisfy { $0.idempotencyKey == nil })
        #expect(Set(receiver.eventKeys) == expected)
        #expect(receiver.eventKeys.count > 10)
        await harness.stop()
        await receiver.stop()
    }

    @Test func aRefusedEventInABatchIsDeadLetteredAloneAndTheOthersDelivered() async throws {
        let receiver = try await TestReceiver.start()
        receiver.refuse(bodiesContaining: "refused-by-receiver", with: .init(status: 400, body: "unknown district"))
        let harness = try ForwardingHarness(sink: HTTPSink(configuration: .init(url: receiver.url, batchSize: 10, concurrency: 2)))
        // In one commit: the ten go out in one round, one batch.
        let values = try await harness.enqueueCases(refs: (0..<10).map { $0 == 6 ? "refused-by-receiver" : "good-\($0)" })
        let good = Set(values.enumerated().filter { $0.offset != 6 }.map { "\($0.element.id).created" })
        #expect(try await harness.waitUntilSettled() == (0, 9, 1))
        let letter = try #require(try harness.database.deadLetters().first)
        #expect(letter.lastError == "HTTP 400: unknown district")
        #expect(letter.attempts == 1)
        #expect(!good.contains(letter.idempotencyKey))
        // The keys the receiver accepted: those of every POST it answered 200.
        let accepted = receiver.received.filter { !String(decoding: $0.body, as: UTF8.self).contains("refused-by-receiver") }
        let acceptedKeys = accepted.flatMap { request -> [String] in
            let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
            return (object?["events"] as? [[String: Any]] ?? []).compactMap { $0["idempotency_key"] as? String }
        }
        #expect(Set(acceptedKeys) == good)
        #expect(receiver.received.first?.eventCount == "10", "the ten went out as one batch first")
        await harness.stop()
        await receiver.stop()
    }

    @Test func aRoundWithAHangingReceiverEndsAtTheTimeoutAndDefersWhatItDidNotSend() async throws {
        let receiver = try await TestReceiver.start()
        receiver.script([], then: .init(status: 200, delayMillis: 3000))
        let sink = HTTPSink(configuration: .init(url: receiver.url, concurrency: 2, timeoutMillis: 1000))
        let events = (0..<6).map { index in
            OutboxEvent(
                id: Int64(index + 1), caseID: "case-\(index)", event: "case.created", idempotencyKey: "case-\(index).created",
                payload: Data(#"{"event":"case.created","idempotency_key":"case-\#(index).created"}"#.utf8), attempts: 0, queuedAt: Date())
        }
        let started = ContinuousClock.now
        let outcomes = await sink.deliver(events)
        let took = ContinuousClock.now - started
        // Two transfers (the concurrency) time out at the round's deadline; the four still
        // waiting for a connection then are not sent (no attempt counted), not sent in turn.
        #expect(receiver.received.count == 2)
        #expect(outcomes.filter { if case .retry(let reason, _) = $0 { reason.contains("curl error 28") } else { false } }.count == 2)
        #expect(outcomes.filter { if case .deferred = $0 { true } else { false } }.count == 4)
        #expect(took < .milliseconds(2500), "a round takes about timeout_millis, took \(took)")
        await receiver.stop()
    }
}

struct IntakeCaseRef: Sendable {
    let id: String
}

@Suite struct HTTPOutcomeTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [200, 201, 202, 204, 409])
    func successAndConflictAreDelivered(status: Int) {
        guard case .delivered = HTTPOutcome.classify(status: status, retryAfter: nil, body: Data(), now: now) else {
            Issue.record("\(status) not delivered"); return
        }
    }

    @Test(arguments: [408, 429, 500, 502, 503, 504])
    func transientStatusesAreRetried(status: Int) {
        guard case .retry = HTTPOutcome.classify(status: status, retryAfter: nil, body: Data(), now: now) else {
            Issue.record("\(status) not retried"); return
        }
    }

    @Test(arguments: [400, 401, 403, 404, 410, 413, 422])
    func otherClientErrorsAreRejected(status: Int) {
        guard case .reject = HTTPOutcome.classify(status: status, retryAfter: nil, body: Data(), now: now) else {
            Issue.record("\(status) not rejected"); return
        }
    }

    @Test func retryAfterTakesSecondsOrAnHTTPDate() {
        #expect(HTTPOutcome.parseRetryAfter("120", now: now) == now.addingTimeInterval(120))
        #expect(HTTPOutcome.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPOutcome.parseRetryAfter("soon") == nil)
    }

    @Test func onlyTheFirstKibOfTheBodyIsKept() {
        let body = Data(String(repeating: "x", count: 5000).utf8)
        guard case .reject(let reason) = HTTPOutcome.classify(status: 400, retryAfter: nil, body: body, now: now) else { return }
        #expect(reason.count == "HTTP 400: ".count + 1024)
    }
}
