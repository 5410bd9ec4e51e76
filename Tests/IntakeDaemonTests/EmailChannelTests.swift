import Foundation
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A live daemon reading a real dovecot mailbox: new mail becomes cases, replies become
/// follow-ups, noise is ignored, and neither a crash nor a new UIDVALIDITY doubles anything.
@Suite(.serialized) struct EmailChannelTests {
    /// A test environment whose email source reads `dovecot`'s INBOX.
    /// - Parameters:
    ///   - sourceYAML: more options of the source, one per line, indented as its others.
    ///   - extraYAML: more top-level sections, given the environment's directory.
    static func environment(
        _ dovecot: Dovecot, after: String = "seen", mailboxes: String = "[INBOX]", port: Int = 0, sourceYAML: String = "",
        dedup: Bool = false, extraYAML: (URL) -> String = { _ in "" }
    ) throws -> TestEnvironment {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-email-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try dovecot.password.write(to: directory.appendingPathComponent("imap.password"), atomically: true, encoding: .utf8)
        return try TestEnvironment(port: port, extraYAML: """
            email:
              sources:
                - name: service-mailbox
                  url: \(dovecot.url)
                  tls: none
                  username: \(dovecot.username)
                  password_file: \(directory.path)/imap.password
                  mailboxes: \(mailboxes)
                  after: \(after)
                  processed_mailbox: 已处理
                  poll_interval_secs: 0.2
            \(sourceYAML)
            \(extraYAML(directory))
            """, dedup: dedup, directory: directory)
    }

    @Test func newMailBecomesCasesNoiseIsIgnoredAndEverythingIsMarkedSeen() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        try dovecot.deliver([
            mail(id: "a1@example.cn", subject: "厂房用地规划许可进度咨询", body: "我司厂房用地规划许可已提交两个月，请问目前进度如何？联系电话 138 1234 5678"),
            mail(id: "a2@example.cn", subject: "人才公寓申请", body: "三名研发人员申请人才公寓。", charset: "gb2312"),
            mail(id: "a3@example.cn", subject: "自动回复: 收到", body: "我正在休假。", headers: ["Auto-Submitted: auto-replied"]),
        ])
        let environment = try Self.environment(dovecot)
        let daemon = try await TestDaemon.start(environment)
        let files = try await environment.waitForEventFiles(count: 2)
        #expect(files.count == 2)
        let cases = try files.map { try caseOf(environment, $0) }
        let first = try #require(cases.first { $0.ref == "a1@example.cn" })
        #expect(first.channel.rawValue == "email")
        #expect(first.subject == "厂房用地规划许可进度咨询")
        #expect(first.requester.phone == "+8613812345678")
        #expect(first.requester.email == "zhang@example.cn")
        let second = try #require(cases.first { $0.ref == "a2@example.cn" })
        #expect(second.description == "三名研发人员申请人才公寓。", "GB2312 decoded")
        try await waitUntil { try dovecot.messages(in: "INBOX").allSatisfy { $0.flags.contains("\\Seen") } }
        let ignored = try daemon.database.traceEntries(for: "a3@example.cn")
        #expect(ignored.map(\.step) == ["ignored"])
        #expect(ignored.first?.detail?.contains("Auto-Submitted") == true)
        #expect(try daemon.database.checkpoint(source: "service-mailbox", mailbox: "INBOX")?.lastUID == 3)
        await daemon.stop()
    }

    @Test func everyCommittedFixtureGivesItsCaseFollowupOrIgnoredRecord() async throws {
        let folder = repositoryRoot.appendingPathComponent("Tests/IntakeChannelsTests/Fixtures/email")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }.sorted()
        #expect(names.count >= 18)
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        // In name order: plain_utf8 is taken before reply_outlook, which refers to it.
        try dovecot.deliver(try names.map { try Data(contentsOf: folder.appendingPathComponent($0)) })
        let environment = try Self.environment(dovecot)
        let daemon = try await TestDaemon.start(environment)
        let files = try await environment.waitForEventFiles(count: names.count - 2, timeoutSecs: 20)
        #expect(files.count == names.count - 2, "all but the auto-reply and the bounce: \(files.count)")
        try await waitUntil { try daemon.database.checkpoint(source: "service-mailbox", mailbox: "INBOX")?.lastUID == UInt32(names.count) }
        var byRef: [String: IntakeCase] = [:]
        for file in files {
            let body = try caseOf(environment, file)
            byRef[body.ref] = body
        }
        for ignored in ["auto-0001@example.cn", "bounce-0001@mx.zone.example.gov.cn"] {
            #expect(byRef[ignored] == nil)
            #expect(try daemon.database.traceEntries(for: ignored).map(\.step) == ["ignored"], "\(ignored)")
        }
        let plain = try #require(byRef["plain-utf8-0001@example.cn"])
        let reply = try #require(byRef["reply-0001@example.cn"])
        #expect(reply.followupOf == plain.id, "References names a message taken before")
        #expect(files.filter { $0.contains(".followup") }.count == 1)
        #expect(byRef["gb2312-gbk-0001@example.cn"]?.subject == "关于朱镕基路厂房的咨询（李喆）", "full-width punctuation as written")
        #expect(byRef["gb18030-0001@example.cn"]?.subject == "生僻字𠀀䶮")
        #expect(byRef["big5-0001@example.com.tw"]?.subject == "投資優惠詢問")
        let attachments = try #require(byRef["attachments-0001@example.cn"]?.attachments)
        #expect(attachments.map(\.name) == ["申请表.pdf", "现场照片.png", "营业执照副本.txt"])
        for attachment in attachments {
            let sha256 = attachment.sha256
            let blob = environment.directory.appendingPathComponent("blobs/\(sha256.prefix(2))/\(sha256.dropFirst(2).prefix(2))/\(sha256)")
            #expect(FileManager.default.fileExists(atPath: blob.path), "attachment bytes in the blob store")
        }
        for (ref, body) in byRef {
            #expect(body.description.isEmpty == false, "\(ref)")
        }
        await daemon.stop()
    }

    @Test func aReplyAndASubjectTokenMakeFollowupsOfTheirCase() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        let environment = try Self.environment(dovecot)
        let daemon = try await TestDaemon.start(environment)
        try dovecot.deliver(mail(id: "first@example.cn", subject: "污水外溢", body: "园区东路污水外溢，请尽快处理。"))
        let created = try await environment.waitForEventFiles(count: 1)
        let original = try caseOf(environment, created[0])
        let caseID = original.id

        try dovecot.deliver(mail(
            id: "reply@example.cn", subject: "Re: 污水外溢", body: "补充：现场照片已附上。\r\n\r\n> 园区东路污水外溢，请尽快处理。",
            headers: ["In-Reply-To: <first@example.cn>", "References: <first@example.cn>"]))
        try dovecot.deliver(mail(
            id: "token@example.cn", subject: "[案件 \(caseID.suffix(12))] 处理进度", body: "请问处理进度如何？"))
        let files = try await environment.waitForEventFiles(count: 3)
        let followups = try files.filter { $0.contains(".followup") }.map { try caseOf(environment, $0) }
        #expect(followups.count == 2, "\(files)")
        #expect(followups.allSatisfy { $0.followupOf == caseID })
        let reply = try #require(followups.first { $0.ref == "reply@example.cn" })
        #expect(reply.description == "补充：现场照片已附上。", "quoted history trimmed")
        await daemon.stop()
    }

    @Test func aNewUIDVALIDITYDoesNotDoubleAnything() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        try dovecot.deliver((1...3).map { mail(id: "v\($0)@example.cn", subject: "诉求 \($0)", body: "第\($0)号诉求") })
        let environment = try Self.environment(dovecot, after: "keep")
        var daemon = try await TestDaemon.start(environment)
        _ = try await environment.waitForEventFiles(count: 3)
        let before = try #require(try daemon.database.checkpoint(source: "service-mailbox", mailbox: "INBOX"))
        await daemon.stop()

        try dovecot.resetUIDValidity()
        try dovecot.deliver(mail(id: "v4@example.cn", subject: "诉求 4", body: "第4号诉求"))
        daemon = try await TestDaemon.start(environment)
        _ = try await environment.waitForEventFiles(count: 4)
        try await waitUntil { try daemon.database.checkpoint(source: "service-mailbox", mailbox: "INBOX")?.lastUID == 4 }
        let after = try #require(try daemon.database.checkpoint(source: "service-mailbox", mailbox: "INBOX"))
        #expect(after.uidValidity != before.uidValidity)
        #expect(try environment.eventFiles().count == 4, "the three taken before are recognised by Message-ID")
        #expect(try daemon.database.caseCount() == 4)
        await daemon.stop()
    }

    @Test func anotherMessageReusingAMessageIDIsTakenUnderItsOwnRef() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        try dovecot.deliver([
            mail(id: "same@example.cn", subject: "路灯不亮", body: "泰达大街路灯不亮。"),
            mail(id: "same@example.cn", subject: "污水外溢", body: "园区东路污水外溢。"),
        ])
        let environment = try Self.environment(dovecot)
        let daemon = try await TestDaemon.start(environment)
        let files = try await environment.waitForEventFiles(count: 2)
        let refs = try files.map { try caseOf(environment, $0).ref }.sorted()
        #expect(refs.count == 2)
        #expect(refs.first == "same@example.cn")
        #expect(refs.last?.hasPrefix("same@example.cn#sha256:") == true, "\(refs)")
        await daemon.stop()
    }

    @Test func afterCommitAMessageIsMovedToTheProcessedMailbox() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        try dovecot.deliver([mail(id: "m1@example.cn", subject: "路灯不亮", body: "泰达大街路灯不亮。")])
        let environment = try Self.environment(dovecot, after: "move")
        let daemon = try await TestDaemon.start(environment)
        _ = try await environment.waitForEventFiles(count: 1)
        try await waitUntil { try dovecot.messages(in: "INBOX").isEmpty && dovecot.messages(in: "已处理").count == 1 }
        await daemon.stop()
    }

    @Test func aMissingMailboxBacksOffAloneWhileINBOXKeepsItsPollInterval() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        let environment = try Self.environment(dovecot, mailboxes: "[Missing, INBOX]")
        let daemon = try await TestDaemon.start(environment)
        // "Missing" fails at about 0, 0.2, 0.6, 1.4, 3.0 and 6.2 s (waits double from the
        // 0.2 s poll interval). Backing off the whole source, the next poll of INBOX would come
        // at 12.6 s; per mailbox, INBOX is still polled every 0.2 s.
        try await Task.sleep(for: .seconds(7.5))
        try dovecot.deliver(mail(id: "late@example.cn", subject: "路灯不亮", body: "泰达大街路灯不亮。"))
        let files = try await environment.waitForEventFiles(count: 1, timeoutSecs: 3)
        #expect(files.count == 1, "taken within 15 poll intervals")
        await daemon.stop()
    }

    @Test func aMessageCommittedButNeverMovedIsMovedAtTheNextPollAndARefusedOneStays() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        let large = mail(id: "large@example.cn", subject: "大附件", body: String(repeating: "现场照片", count: 500))
        try dovecot.deliver([mail(id: "c1@example.cn", subject: "路灯不亮", body: "泰达大街路灯不亮。"), large])
        // Taken, committed, and left in INBOX, unseen: as if killed between commit and move.
        let environment = try Self.environment(dovecot, after: "keep", sourceYAML: "      max_message_bytes: 2000")
        var daemon = try await TestDaemon.start(environment)
        _ = try await environment.waitForEventFiles(count: 1)
        try await waitUntil { try daemon.database.checkpoint(source: "service-mailbox", mailbox: "INBOX")?.lastUID == 2 }
        await daemon.stop()
        #expect(try dovecot.messages(in: "INBOX").count == 2)

        let config = try String(contentsOfFile: environment.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "after: keep", with: "after: move").write(toFile: environment.configPath, atomically: true, encoding: .utf8)
        daemon = try await TestDaemon.start(environment)
        try await waitUntil { try dovecot.messages(in: "已处理").count == 1 }
        #expect(try dovecot.messages(in: "INBOX").map(\.data) == [large], "the refused message stays for a person")
        #expect(try environment.eventFiles().count == 1, "nothing taken twice")
        await daemon.stop()
    }

    @Test func aSIGKILLWhileMailIsBeingTakenLosesAndDoublesNothing() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        let count = 300
        try dovecot.deliver((1...count).map { mail(id: "k\($0)@example.cn", subject: "诉求 \($0)", body: "第\($0)号诉求：厂房用地规划许可进度咨询") })
        let port = DaemonProcess.freePort()
        let environment = try Self.environment(dovecot, after: "seen", port: port)
        var daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        let database = try IntakeDatabase(path: environment.storePath)
        defer { database.close() }
        let deadline = Date().addingTimeInterval(30)
        while try database.caseCount() < 20, Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        daemon.kill(SIGKILL)
        _ = try await daemon.waitForExit()
        let taken = try database.caseCount()
        #expect(taken > 0 && taken < count, "the kill lands in the middle (\(taken) taken)")

        daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        try await waitUntil(timeoutSecs: 60) { try database.caseCount() >= count }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try database.caseCount() == count, "every message once")
        daemon.kill(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }
}

/// A mail as a client writes it, CRLF line ends; the body base64 in `charset`.
func mail(id: String, subject: String, body: String, charset: String = "utf-8", headers: [String] = []) -> Data {
    let bodyBytes: [UInt8]
    if charset == "utf-8" {
        bodyBytes = Array(body.utf8)
    } else {
        bodyBytes = Array(iconvEncode(body, to: charset))
    }
    let encodedSubject = "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
    var lines = [
        "From: =?UTF-8?B?\(Data("张先生".utf8).base64EncodedString())?= <Zhang@Example.cn>",
        "To: qiye-fuwu@zone.gov.cn",
        "Subject: \(encodedSubject)",
        "Date: Thu, 26 Feb 2026 09:13:05 +0800",
        "Message-ID: <\(id)>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=\(charset)",
        "Content-Transfer-Encoding: base64",
    ] + headers
    lines.append("")
    lines.append(Data(bodyBytes).base64EncodedString(options: .lineLength76Characters).replacingOccurrences(of: "\n", with: "\r\n"))
    return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
}

/// The bytes of `text` in `charset`, through glibc's iconv.
func iconvEncode(_ text: String, to charset: String) -> Data {
    guard let converter = iconv_open(charset, "UTF-8"), converter != iconv_t(bitPattern: -1) else { return Data(text.utf8) }
    defer { iconv_close(converter) }
    var input = Array(text.utf8).map { CChar(bitPattern: $0) }
    var output = [CChar](repeating: 0, count: input.count * 4 + 16)
    var inLeft = input.count
    var outLeft = output.count
    input.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            var inPointer: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress
            var outPointer: UnsafeMutablePointer<CChar>? = outBuffer.baseAddress
            _ = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
        }
    }
    return Data(output[0..<(output.count - outLeft)].map { UInt8(bitPattern: $0) })
}

/// Polls `condition` until it holds.
func waitUntil(timeoutSecs: Double = 15, _ condition: () throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeoutSecs)
    while Date() < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within \(timeoutSecs) s")
}
