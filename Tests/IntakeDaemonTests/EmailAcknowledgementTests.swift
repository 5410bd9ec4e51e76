import Foundation
import IntakeCore
import IntakeDaemon
import IntakeStore
import IntakeTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A live daemon reading a real dovecot mailbox and acknowledging through a real SMTP server
/// (aiosmtpd) on loopback: one acknowledgement per new request, with the case number token in
/// its subject; none to noise; a reply to it is a follow-up; a crash loses none and doubles none.
@Suite(.serialized) struct EmailAcknowledgementTests {
    static func environment(_ dovecot: Dovecot, _ smtp: SMTPServer, port: Int = 0) throws -> TestEnvironment {
        try EmailChannelTests.environment(dovecot, port: port, sourceYAML: "      acknowledge: true") { directory in
            try? smtp.password.write(to: directory.appendingPathComponent("smtp.password"), atomically: true, encoding: .utf8)
            return """
                smtp:
                  url: \(smtp.url)
                  tls: none
                  username: \(smtp.username)
                  password_file: \(directory.path)/smtp.password
                  from: qiye-fuwu@zone.gov.cn
                  from_name: 区营商环境服务中心
                  template: \(repositoryRoot.appendingPathComponent("channels/acknowledgement.zh-CN.txt").path)
                  retry_initial_secs: 0.2
                  retry_max_secs: 1
                """
        }
    }

    /// A mail from a `noreply` address: a case, but no acknowledgement.
    static func noreplyMail(id: String) -> Data {
        Data("""
            From: 系统通知 <noreply@portal.example.cn>\r
            To: qiye-fuwu@zone.gov.cn\r
            Subject: =?UTF-8?B?\(Data("企业年报填报提醒转办".utf8).base64EncodedString())?=\r
            Date: Thu, 26 Feb 2026 10:00:00 +0800\r
            Message-ID: <\(id)>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            某企业反映年报系统无法登录，请协助处理。联系电话 139 1234 5678\r

            """.utf8)
    }

    @Test func aNewMailGetsExactlyOneAcknowledgementWithItsTokenAndAReplyToItBecomesAFollowup() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        let smtp = try SMTPServer()
        defer { smtp.remove() }
        Telemetry.bootstrap(logLevel: .warning)
        let environment = try Self.environment(dovecot, smtp)
        let daemon = try await TestDaemon.start(environment)
        // Process-wide counters: compared before and after; the mail arrives after the first reading.
        let series = ["queued", "skipped", "sent", "retry"].map { #"intake_acknowledgements_total{source="service-mailbox",outcome="\#($0)"}"# }
        let before = AdminRouteTests.values(of: series, in: try await daemon.get("/metrics").text)
        try dovecot.deliver([
            mail(id: "ack1@example.cn", subject: "厂房用地规划许可进度咨询", body: "我司厂房用地规划许可已提交两个月，请问目前进度如何？联系电话 138 1234 5678"),
            mail(id: "auto1@example.cn", subject: "自动回复: 收到", body: "我正在休假。", headers: ["Auto-Submitted: auto-replied"]),
            Self.noreplyMail(id: "noreply1@example.cn"),
        ])
        let files = try await environment.waitForEventFiles(count: 2, timeoutSecs: 15)
        let cases = try files.map { try caseOf(environment, $0) }
        let request = try #require(cases.first { $0.ref == "ack1@example.cn" })
        let token = String(request.id.filter(\.isHexDigit).suffix(12))

        let received = try await smtp.waitForMessages(1)
        try await Task.sleep(for: .milliseconds(1500))
        let messages = try smtp.messages()
        #expect(messages.count == 1, "one acknowledgement: none to the auto-reply or the noreply sender\n\(smtp.log())")
        let acknowledgement = try #require(received.first)
        #expect(acknowledgement.to == ["zhang@example.cn"])
        #expect(acknowledgement.from == "qiye-fuwu@zone.gov.cn")
        #expect(acknowledgement.subject == "[案件 \(token)] 已受理：厂房用地规划许可进度咨询", "\(acknowledgement.subject ?? "")")
        #expect(acknowledgement.header("Subject")?.hasPrefix("=?UTF-8?B?") == true, "non-ASCII subject as RFC 2047 words")
        #expect(acknowledgement.header("In-Reply-To") == "<ack1@example.cn>")
        #expect(acknowledgement.header("References") == "<ack1@example.cn>")
        #expect(acknowledgement.header("Auto-Submitted") == "auto-replied")
        #expect(acknowledgement.body.contains("案件号 \(token)"), "\(acknowledgement.body)")
        let steps = try daemon.database.traceEntries(for: request.id).map(\.step)
        #expect(steps.contains("acknowledgement_queued") && steps.contains("acknowledged"), "\(steps)")
        let noreply = try #require(cases.first { $0.ref == "noreply1@example.cn" })
        let skipped = try daemon.database.traceEntries(for: noreply.id).first { $0.step == "acknowledgement_skipped" }
        #expect(skipped?.detail?.contains("noreply_sender") == true)
        let after = AdminRouteTests.values(of: series, in: try await daemon.get("/metrics").text)
        #expect(zip(before, after).map { $1 - $0 } == [1, 1, 1, 0], "queued, skipped, sent, retry")

        // The requester answers the acknowledgement: its subject's token threads it to the case.
        let ackSubject = try #require(acknowledgement.subject)
        try dovecot.deliver(mail(
            id: "reply1@example.cn", subject: "回复：" + ackSubject, body: "补充材料：规划许可申请表已重新提交。",
            headers: ["In-Reply-To: \(acknowledgement.header("Message-ID") ?? "")"]))
        let all = try await environment.waitForEventFiles(count: 3, timeoutSecs: 15)
        let events = try all.map { try readEvent(environment, $0) }
        let followup = try #require(events.first { $0.case.ref == "reply1@example.cn" })
        #expect(followup.event == .followup)
        #expect(followup.case.followupOf == request.id)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try smtp.messages().count == 1, "a follow-up is not acknowledged again")
        await daemon.stop()
    }

    /// The case and its acknowledgement commit together; the mail server is down, so the daemon
    /// is killed after the commit and before any send went through. The next start sends it, once.
    @Test func aSIGKILLBetweenCommitAndSendStillYieldsExactlyOneAcknowledgementAfterRestart() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        let smtp = try SMTPServer(started: false)
        defer { smtp.remove() }
        try dovecot.deliver(mail(id: "crash1@example.cn", subject: "人才公寓申请", body: "三名研发人员申请人才公寓，请问审核需要多久？"))
        let port = DaemonProcess.freePort()
        let environment = try Self.environment(dovecot, smtp, port: port)
        var daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        let database = try IntakeDatabase(path: environment.storePath)
        defer { database.close() }
        try await waitUntil { try database.caseCount() == 1 && database.acknowledgementCounts()["pending"] == 1 }
        daemon.kill(SIGKILL)
        _ = try await daemon.waitForExit()
        #expect(try smtp.messages().isEmpty)
        #expect(try database.acknowledgementCounts() == ["pending": 1], "queued with the case, not sent")

        try smtp.start()
        daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        let received = try await smtp.waitForMessages(1)
        #expect(received.count == 1)
        try await Task.sleep(for: .milliseconds(2000))
        #expect(try smtp.messages().count == 1, "exactly one acknowledgement")
        #expect(try database.acknowledgementCounts() == ["sent": 1])
        #expect(try database.caseCount() == 1, "the message was not taken again")
        daemon.kill(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }
}
