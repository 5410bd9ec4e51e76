import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IntakeChannels
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Logging
import NIOCore
import Testing

@testable import IntakeDaemon

/// The daemon's routes through Hummingbird's in-process test client (`app.test(.router)`):
/// what HTTP adds around the channels — headers in and out, limits checked before the body is
/// read, content types — without a port or a daemon.
@Suite struct RouteTests {
    static func application(_ store: TemporaryStore, maxBodyBytes: Int = 1 << 20) -> some ApplicationProtocol {
        var configuration = WebhookConfiguration()
        configuration.maxBodyBytes = maxBodyBytes
        let authenticator = SourceAuthenticator(sources: [.init(name: "portal", method: .hmac, secret: Data(devSecret.utf8))])
        let webhook = WebhookIntake(
            configuration: configuration, database: store.database, blobs: store.blobs, authenticator: Live(authenticator),
            normalizer: Live(testNormalizer), logger: Logger(label: "test"), onQueued: {})
        let router = Router()
        WebhookRoutes(intake: webhook).add(to: router)
        AdminRoutes(database: store.database).add(to: router)
        return Application(router: router)
    }

    static func signed(_ body: String, key: String? = nil) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json", .intakeSignature: signature(body)]
        if let key { headers[.idempotencyKey] = key }
        return headers
    }

    @Test func aSignedRequestIsAcceptedAndItsRetryIsMarkedReplayed() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let body = sampleRequest()
        try await Self.application(store).test(.router) { client in
            let first = try await client.execute(
                uri: "/v1/requests", method: .post, headers: Self.signed(body, key: "r-1"), body: ByteBuffer(string: body))
            #expect(first.status == .accepted)
            #expect(first.headers[.contentType] == "application/json")
            #expect(first.headers[.idempotentReplayed] == nil)
            let second = try await client.execute(
                uri: "/v1/requests", method: .post, headers: Self.signed(body, key: "r-1"), body: ByteBuffer(string: body))
            #expect(second.status == .accepted)
            #expect(second.headers[.idempotentReplayed] == "true")
            #expect(second.body == first.body, "the stored answer, byte for byte")
        }
        #expect(try store.database.caseCount() == 1)
    }

    @Test func aRequestWithoutCredentialsIsRefusedWithoutReadingItsBody() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        try await Self.application(store).test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/requests", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: sampleRequest()))
            #expect(response.status == .unauthorized)
            let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            #expect(answer?["error"] as? String == "unauthorized")
        }
        #expect(try store.database.caseCount() == 0)
        #expect(try store.database.refusals().map(\.channel) == ["webhook"])
    }

    @Test func aDeclaredLengthOverTheLimitIsRefusedAs413() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let body = sampleRequest()
        try await Self.application(store, maxBodyBytes: 64).test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/requests", method: .post, headers: Self.signed(body), body: ByteBuffer(string: body))
            #expect(response.status == .contentTooLarge)
        }
        #expect(try store.database.caseCount() == 0)
    }

    @Test func healthReadinessAndTheSchemaAreServedWithTheirTypes() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        try await Self.application(store).test(.router) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(String(buffer: health.body) == #"{"status":"ok"}"#)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            let schema = try await client.execute(uri: "/v1/schema", method: .get)
            #expect(schema.status == .ok)
            #expect(schema.headers[.contentType] == "application/schema+json")
            let parsed = try JSONSerialization.jsonObject(with: Data(buffer: schema.body)) as? [String: Any]
            #expect(parsed?["$schema"] != nil)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
        }
    }
}
