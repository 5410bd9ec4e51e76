import Foundation
import IntakeChannels
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Logging
import Testing

/// `AcknowledgementSender` against a temporary store and a real SMTP server (aiosmtpd) on
/// loopback: STARTTLS and implicit TLS checked against the CA bundle, AUTH, a refusal for good.
@Suite(.serialized) struct AcknowledgementSenderTests {
    static let template = AcknowledgementTemplate(subject: "已受理：{subject}", body: "案件号 {case_token}")

    /// A request from `from`, taken by an acknowledging email source: its case id.
    static func request(_ store: TemporaryStore, from address: String) async throws -> String {
        let intake = EmailIntake(
            settings: .init(source: "service", acknowledge: true), normalizer: Live(testNormalizer), database: store.database,
            blobs: store.blobs, logger: Logger(label: "test"))
        let raw = AcknowledgementTests.request(id: "s-\(UUID().uuidString)@example.cn", from: "张先生 <\(address)>")
        guard case .admitted(let outcomes) = try await intake.take(raw, mailbox: "INBOX", uid: 1, uidValidity: 1),
              let caseID = outcomes.first?.caseID
        else { throw SenderTestFailure() }
        return caseID
    }

    static func sender(_ store: TemporaryStore, _ server: SMTPServer, caFile: String?) -> AcknowledgementSender {
        let tls: SMTPClient.Configuration.TLS = switch server.tls {
        case .none: .none
        case .starttls: .starttls
        case .implicit: .implicit
        }
        return AcknowledgementSender(
            settings: .init(
                smtp: SMTPClient.Configuration(
                    url: server.url, tls: tls, username: server.username, password: server.password, caFile: caFile, timeoutMillis: 10_000),
                from: .init(address: "qiye-fuwu@zone.gov.cn", name: "区营商环境服务中心"), template: template, retryInitialSecs: 60, maxAttempts: 3),
            database: store.database, logger: Logger(label: "test"))
    }

    @Test(arguments: [SMTPServer.TLS.starttls, .implicit])
    func anAcknowledgementGoesOutOverTLSCheckedAgainstTheCABundle(tls: SMTPServer.TLS) async throws {
        let server = try SMTPServer(tls: tls)
        defer { server.remove() }
        let store = try TemporaryStore()
        defer { store.remove() }
        let caseID = try await Self.request(store, from: "zhang@example.cn")
        #expect(try await Self.sender(store, server, caFile: server.caFile).sendDue() == 1, "\(server.log())")
        let messages = try server.messages()
        #expect(messages.count == 1)
        #expect(messages.first?.to == ["zhang@example.cn"])
        #expect(messages.first?.subject == "[案件 \(CaseToken.of(caseID: caseID))] 已受理：厂房用地规划许可进度咨询")
        #expect(try store.database.acknowledgementCounts() == ["sent": 1])
        #expect(try await Self.sender(store, server, caFile: server.caFile).sendDue() == 0, "sent once")
    }

    @Test func aServerWhoseCertificateTheBundleDoesNotVouchForGetsNothingAndItIsTriedLater() async throws {
        let server = try SMTPServer(tls: .implicit)
        defer { server.remove() }
        let store = try TemporaryStore()
        defer { store.remove() }
        let caseID = try await Self.request(store, from: "zhang@example.cn")
        #expect(try await Self.sender(store, server, caFile: nil).sendDue() == 0)
        #expect(try server.messages().isEmpty)
        #expect(try store.database.acknowledgementCounts() == ["pending": 1])
        let retry = try #require(try store.database.nextAcknowledgementDue())
        #expect(retry > store.database.now().addingTimeInterval(30), "backoff from retry_initial_secs, with jitter")
        #expect(try !store.database.traceEntries(for: caseID).contains { $0.step == "acknowledged" })
    }

    @Test func aRecipientTheServerRefusesForGoodIsGivenUpAtOnce() async throws {
        let server = try SMTPServer(tls: .starttls)
        defer { server.remove() }
        let store = try TemporaryStore()
        defer { store.remove() }
        let caseID = try await Self.request(store, from: "reject-me@example.cn")
        #expect(try await Self.sender(store, server, caFile: server.caFile).sendDue() == 0)
        #expect(try store.database.acknowledgementCounts() == ["failed": 1])
        let failed = try store.database.traceEntries(for: caseID).first { $0.step == "acknowledgement_failed" }
        #expect(failed?.detail?.contains("refused for good") == true)
        #expect(failed?.detail?.contains("reject-me") == false, "no address in the trace: \(failed?.detail ?? "")")
        #expect(failed?.detail?.contains("550") == true, "the server's answer, masked: \(failed?.detail ?? "")")
    }
}

struct SenderTestFailure: Error {}
