import Foundation
import IntakeForwarding
import IntakeStore
import IntakeTestSupport
import Testing

@Suite(.serialized) struct HTTPSinkTLSTests {
    let event = OutboxEvent(
        id: 1, caseID: "c", event: "case.created", idempotencyKey: "c.created", payload: Data(#"{"event":"case.created"}"#.utf8),
        attempts: 0, queuedAt: Date())

    @Test func mutualTLSWithTheNetworksCAAndAClientCertificateDelivers() async throws {
        let receiver = try TLSReceiver()
        defer { receiver.stop() }
        try await receiver.waitUntilListening()
        let sink = HTTPSink(configuration: .init(
            url: receiver.url, caFile: receiver.caFile, clientCertificateFile: receiver.clientCertificate,
            clientKeyFile: receiver.clientKey))
        #expect(await sink.deliver([event]) == [.delivered(detail: "HTTP 200")])
    }

    @Test func withoutTheClientCertificateTheHandshakeFailsAndIsRetried() async throws {
        let receiver = try TLSReceiver()
        defer { receiver.stop() }
        try await receiver.waitUntilListening()
        let sink = HTTPSink(configuration: .init(url: receiver.url, caFile: receiver.caFile))
        guard case .retry(let reason, _) = await sink.deliver([event]).first else { Issue.record("expected a retry"); return }
        #expect(reason.contains("curl error"))
    }

    @Test func anUnknownServerCertificateIsRefused() async throws {
        let receiver = try TLSReceiver()
        defer { receiver.stop() }
        try await receiver.waitUntilListening()
        let sink = HTTPSink(configuration: .init(
            url: receiver.url, clientCertificateFile: receiver.clientCertificate, clientKeyFile: receiver.clientKey))
        guard case .retry(let reason, _) = await sink.deliver([event]).first else { Issue.record("expected a retry"); return }
        #expect(reason.lowercased().contains("certificate"))
    }
}
