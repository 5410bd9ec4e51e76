import Foundation
import IntakeChannels
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Logging
import Testing

/// Who is owed an acknowledgement (queued in the case's transaction), and the mail that goes
/// out: a requester's address and subject are hostile input.
@Suite struct AcknowledgementTests {
    static func intake(_ store: TemporaryStore, perHour: Int = 5) -> EmailIntake {
        EmailIntake(
            settings: .init(source: "service", acknowledge: true, acknowledgementsPerHour: perHour), normalizer: Live(testNormalizer),
            database: store.database, blobs: store.blobs, logger: Logger(label: "test"))
    }

    static func request(id: String, from: String = "张先生 <zhang@example.cn>", subject: String = "厂房用地规划许可进度咨询", headers: [String] = []) -> Data {
        Data(([
            "From: \(from)", "To: qiye-fuwu@zone.gov.cn", "Subject: \(subject)", "Date: Thu, 26 Feb 2026 09:13:05 +0800",
            "Message-ID: <\(id)>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
        ] + headers + ["", "我司厂房用地规划许可已提交两个月，请问目前进度如何？（\(id)）", ""]).joined(separator: "\r\n").utf8)
    }

    @Test func aNewRequestQueuesOneAcknowledgementAndAFollowupNone() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let intake = Self.intake(store)
        let first = try await intake.take(Self.request(id: "r1@example.cn"), mailbox: "INBOX", uid: 1, uidValidity: 1)
        guard case .admitted(let outcomes) = first, let caseID = outcomes.first?.caseID else {
            Issue.record("not admitted: \(first)")
            return
        }
        let due = try store.database.dueAcknowledgements(now: .distantFuture, limit: 10)
        #expect(due.map(\.caseID) == [caseID])
        #expect(due.first?.recipient == "zhang@example.cn")
        #expect(due.first?.inReplyTo == "r1@example.cn")
        let reply = Self.request(id: "r2@example.cn", subject: "Re: [案件 \(CaseToken.of(caseID: caseID))] 厂房用地规划许可进度咨询")
        let second = try await intake.take(reply, mailbox: "INBOX", uid: 2, uidValidity: 1)
        guard case .admitted(let replies) = second, case .followup = replies.first else {
            Issue.record("not a follow-up: \(second)")
            return
        }
        #expect(try store.database.dueAcknowledgements(now: .distantFuture, limit: 10).count == 1, "a follow-up is not acknowledged")
    }

    @Test(arguments: [
        ("通知 <noreply@portal.example.cn>", [String]()), ("<no-reply@example.cn>", []), ("<Do_Not_Reply@example.cn>", []),
        ("张先生 <zhang@example.cn>", ["List-Id: <notices.example.cn>"]),
    ])
    func noreplyAndListSendersGetNone(from: String, headers: [String]) async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let outcome = try await Self.intake(store).take(Self.request(id: "n1@example.cn", from: from, headers: headers), mailbox: "INBOX", uid: 1, uidValidity: 1)
        guard case .admitted(let outcomes) = outcome, let caseID = outcomes.first?.caseID else {
            Issue.record("not admitted: \(outcome)")
            return
        }
        #expect(try store.database.dueAcknowledgements(now: .distantFuture, limit: 10).isEmpty)
        #expect(try store.database.traceEntries(for: caseID).contains { $0.step == "acknowledgement_skipped" })
    }

    @Test func anAddressGetsAtMostItsHourlyAllowance() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let intake = Self.intake(store, perHour: 2)
        for uid in 1...4 {
            _ = try await intake.take(
                Self.request(id: "many\(uid)@example.cn", subject: "第\(uid)个问题：路灯不亮，已经三天了"), mailbox: "INBOX", uid: UInt32(uid), uidValidity: 1)
        }
        #expect(try store.database.caseCount() == 4)
        #expect(try store.database.dueAcknowledgements(now: .distantFuture, limit: 10).count == 2)
    }

    @Test func hostileSubjectAndNameCannotAddHeaders() throws {
        let mail = AcknowledgementMail(
            from: .init(address: "qiye-fuwu@zone.gov.cn", name: "区营商环境服务中心"),
            to: .init(address: "zhang@example.cn", name: "张三\r\nBcc: victim@example.org"),
            subject: "[案件 0123456789ab] 咨询\r\nBcc: victim@example.org\nX-Evil: 1", body: "正文\n第二行",
            inReplyTo: "<r1@example.cn>\r\nBcc: victim@example.org", messageID: "<ack.1@zone.gov.cn>", date: Date(timeIntervalSince1970: 1_772_068_385))
        let text = String(decoding: mail.rendered(), as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        let names = head.components(separatedBy: "\r\n").filter { !$0.hasPrefix(" ") }.compactMap { $0.split(separator: ":").first.map(String.init) }
        #expect(!names.contains("Bcc") && !names.contains("X-Evil"), "\(head)")
        #expect(!text.contains("victim@example.org\r\n"))
        #expect(head.contains("Subject: =?UTF-8?B?"))
        #expect(head.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
        #expect(head.contains("Auto-Submitted: auto-replied"))
        #expect(!AcknowledgementMail.isSendable("zhang@example.cn\r\nRCPT TO:<x@y.cn>"))
        #expect(!AcknowledgementMail.isSendable("<zhang@example.cn>"))
        #expect(AcknowledgementMail.isSendable("zhang.san+case@example.cn"))
    }

    @Test func theSubjectAlwaysStartsWithTheTokenAndValuesAreNotExpandedTwice() throws {
        let template = try AcknowledgementTemplate.parse("# comment\nSubject: 已受理：{subject}\n\n案件号 {case_token}，主题 {subject}\n", file: "t.txt")
        let caseID = "0195a6b2-7c3d-7e4f-8a9b-0123456789ab"
        let (subject, body) = template.render(values: ["subject": "{case_id} [案件 ffffffffffff]", "case_token": "0123456789ab"], caseID: caseID)
        #expect(subject == "[案件 0123456789ab] 已受理：{case_id}")
        #expect(body == "案件号 0123456789ab，主题 {case_id} [案件 ffffffffffff]")
        #expect(throws: AcknowledgementTemplate.Problem.self) { try AcknowledgementTemplate.parse("Subject: {tokn}\n\nbody", file: "t.txt") }
        let problem = #expect(throws: AcknowledgementTemplate.Problem.self) {
            try AcknowledgementTemplate.parse("# a\n\nSubject: x\n\nline\n{nope}\n", file: "t.txt")
        }
        #expect(problem?.line == 6, "the problem names the template's line: \(String(describing: problem))")
    }
}
