import Foundation
import IntakeChannels
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Logging
import Synchronization
import Testing

/// How often the channel woke the forwarder.
final class WakeCount: Sendable {
    let value = Atomic<Int>(0)
}

/// The webhook channel's work without HTTP: `WebhookIntake.handle` against a temporary store.
@Suite struct WebhookIntakeTests {
    final class Fixture: Sendable {
        let store: TemporaryStore
        let intake: WebhookIntake
        let wakes = WakeCount()

        init(configure: (inout WebhookConfiguration) -> Void = { _ in }) throws {
            store = try TemporaryStore()
            var configuration = WebhookConfiguration()
            configure(&configuration)
            let authenticator = SourceAuthenticator(sources: [
                .init(name: "portal", method: .hmac, secret: Data(devSecret.utf8)),
                .init(name: "partner", method: .bearer, secret: Data(bearerToken.utf8)),
            ])
            let wakes = self.wakes
            intake = WebhookIntake(
                configuration: configuration, database: store.database, blobs: store.blobs, authenticator: Live(authenticator),
                normalizer: Live(testNormalizer), logger: Logger(label: "test"), onQueued: { wakes.value.add(1, ordering: .relaxed) })
        }

        func post(_ body: String, key: String? = nil, signature sign: Bool = true) async -> IntakeAnswer {
            await intake.handle(
                IntakeHeaders(signature: sign ? signature(body) : nil, idempotencyKey: key, contentType: "application/json"),
                body: Array(body.utf8))
        }

        deinit { store.remove() }
    }

    static func json(_ answer: IntakeAnswer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
    }

    @Test func aSignedRequestIsCommittedWithItsEventBeforeTheAnswer() async throws {
        let fixture = try Fixture()
        let answer = await fixture.post(sampleRequest(), key: "k-1")
        #expect(answer.status == 202)
        let cases = try #require(try Self.json(answer)["cases"] as? [[String: Any]])
        #expect(cases.first?["status"] as? String == "created")
        let id = try #require(cases.first?["id"] as? String)
        #expect(try fixture.store.database.caseCount() == 1)
        let events = try await fixture.store.dueEvents()
        #expect(events.map(\.event) == [.created])
        #expect(events.first?.case.id == id)
        #expect(events.first?.case.requester.phone == "+8613812345678", "normalised to E.164")
        #expect(events.first?.case.channel == .webhook)
        #expect(events.first?.case.source == "portal")
        #expect(fixture.wakes.value.load(ordering: .relaxed) == 1, "the forwarder is woken once")
    }

    @Test func aRetryWithTheSameKeyIsAnsweredFromTheStoreAndQueuesNothing() async throws {
        let fixture = try Fixture()
        let first = await fixture.post(sampleRequest(), key: "retry")
        let second = await fixture.post(sampleRequest(), key: "retry")
        #expect(second.status == 202)
        #expect(second.replayed)
        #expect(second.body == first.body)
        #expect(try fixture.store.database.caseCount() == 1)
        #expect(try await fixture.store.dueEvents().count == 1)
        #expect(fixture.wakes.value.load(ordering: .relaxed) == 1, "a replayed answer wakes nobody")
    }

    @Test func anUnsignedRequestIsRefusedWithOneTraceAndNoCase() async throws {
        let fixture = try Fixture()
        let answer = await fixture.post(sampleRequest(), key: "k", signature: false)
        #expect(answer.status == 401)
        #expect(try fixture.store.database.caseCount() == 0)
        let refusals = try fixture.store.database.refusals()
        #expect(refusals.map(\.step) == ["refused"])
        #expect(refusals.first?.ref == "k")
        #expect(refusals.first?.channel == "webhook")
    }

    @Test func anInvalidFieldIsRefusedWithItsPointer() async throws {
        let fixture = try Fixture()
        let answer = await fixture.post(sampleRequest(description: ""), key: "k")
        #expect(answer.status == 422)
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text.contains("/description"), "\(text)")
        #expect(try fixture.store.database.caseCount() == 0)
        #expect(try fixture.store.database.refusals().first?.source == "portal", "the source is known once it is authenticated")
    }

    @Test func aBodyOverTheLimitIsRefusedBeforeItIsParsed() async throws {
        let fixture = try Fixture { $0.maxBodyBytes = 64 }
        let answer = await fixture.post(sampleRequest(), key: "k")
        #expect(answer.status == 413)
        #expect(try fixture.store.database.caseCount() == 0)
    }
}
