import Foundation
import IntakeChannels
import IntakeTestSupport
import Testing

/// The IMAP client against a real dovecot on loopback. The client blocks, so every call runs
/// off the concurrency pool (`offThePool`); assertions stay in the test's own context.
@Suite struct IMAPClientTests {
    static func message(_ number: Int, body: String = "Hello") -> Data {
        Data("From: sender\(number)@example.cn\r\nTo: service@zone.example.cn\r\nSubject: test \(number)\r\nMessage-ID: <m\(number)@example.cn>\r\n\r\n\(body) \(number)\r\n".utf8)
    }

    static func client(_ server: Dovecot, maxMessageBytes: Int = 25 << 20) throws -> IMAPClient {
        try IMAPClient(configuration: .init(
            url: server.url, username: server.username, password: server.password, tls: .none,
            timeoutMillis: 20_000, connectTimeoutMillis: 5_000, maxMessageBytes: maxMessageBytes))
    }

    @Test func selectReportsUIDValidityUIDNextAndMessageCount() async throws {
        let server = try await offThePool { try Dovecot() }
        try await offThePool { try server.deliver((1...3).map { Self.message($0) }) }
        let client = try Self.client(server)
        let (first, second) = try await offThePool { (try client.select("INBOX"), try client.select("INBOX")) }
        #expect(first.exists == 3)
        #expect(first.uidNext == 4)
        #expect(first.uidValidity > 0)
        #expect(second == first)
    }

    @Test func uidsFromReturnsOnlyUIDsAtOrAboveTheStart() async throws {
        let server = try await offThePool { try Dovecot() }
        try await offThePool { try server.deliver((1...5).map { Self.message($0) }) }
        let client = try Self.client(server)
        let (all, fromZero, fromThree, fromLast, beyond) = try await offThePool {
            (try client.uids(from: 1, in: "INBOX"), try client.uids(from: 0, in: "INBOX"), try client.uids(from: 3, in: "INBOX"),
             try client.uids(from: 5, in: "INBOX"), try client.uids(from: 6, in: "INBOX"))
        }
        #expect(all == [1, 2, 3, 4, 5])
        #expect(fromZero == all)
        #expect(fromThree == [3, 4, 5])
        #expect(fromLast == [5])
        // The server answers `UID FETCH 6:*` with UID 5, the highest there is.
        #expect(beyond == [])
    }

    @Test func fetchReturnsTheDeliveredBytesExactly() async throws {
        let server = try await offThePool { try Dovecot() }
        var raw = Data("From: =?UTF-8?B?5byg5LiJ?= <zhang@example.cn>\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".utf8)
        raw.append(contentsOf: [0xC4, 0xFA, 0xBA, 0xC3, 0x0D, 0x0A])  // 您好 in GBK
        raw.append(Data("UTF-8 too: 园区服务\r\n\ttab and trailing space \r\n.\r\n..dot\r\n".utf8))
        let delivered = raw
        try await offThePool { try server.deliver([Self.message(1), delivered]) }
        let client = try Self.client(server)
        let fetched = try await offThePool { try client.fetch(uid: 2, in: "INBOX") }
        #expect(fetched == delivered)
    }

    @Test func fetchLeavesTheMessageUnseenAndMarkSeenAfterItStillWorks() async throws {
        let server = try await offThePool { try Dovecot() }
        try await offThePool { try server.deliver([Self.message(1), Self.message(2)]) }
        let client = try Self.client(server)
        let fetched = try await offThePool { (try client.fetch(uid: 1, in: "INBOX"), try client.fetch(uid: 2, in: "INBOX")) }
        #expect(fetched.0 == Self.message(1))
        #expect(fetched.1 == Self.message(2))
        #expect(try server.messages(in: "INBOX").allSatisfy { $0.flags.isEmpty }, "fetched, not committed: still unseen")
        try await offThePool { try client.markSeen(uid: 2, in: "INBOX"); _ = try client.fetch(uid: 1, in: "INBOX") }
        let stored = try await offThePool { try server.messages(in: "INBOX") }
        #expect(stored.first { $0.data == Self.message(2) }?.flags == ["\\Seen"])
        #expect(stored.first { $0.data == Self.message(1) }?.flags == [])
    }

    @Test func uidsThroughListsTheMessagesLeftAtOrBelowAUIDUnseenOnlyWhenAsked() async throws {
        let server = try await offThePool { try Dovecot() }
        try await offThePool { try server.deliver((1...4).map { Self.message($0) }) }
        let client = try Self.client(server)
        let (all, unseen) = try await offThePool {
            try client.markSeen(uid: 2, in: "INBOX")
            return (try client.uids(through: 3, in: "INBOX", unseenOnly: false), try client.uids(through: 3, in: "INBOX", unseenOnly: true))
        }
        #expect(all == [1, 2, 3])
        #expect(unseen == [1, 3])
    }

    @Test func markSeenSetsTheSeenFlag() async throws {
        let server = try await offThePool { try Dovecot() }
        try await offThePool { try server.deliver([Self.message(1), Self.message(2)]) }
        let client = try Self.client(server)
        try await offThePool { try client.markSeen(uid: 2, in: "INBOX") }
        let stored = try await offThePool { try server.messages(in: "INBOX") }
        #expect(stored.first { $0.data == Self.message(2) }?.flags == ["\\Seen"])
        #expect(stored.first { $0.data == Self.message(1) }?.flags == [])
    }

    @Test func moveMovesTheMessageIntoANewTargetMailbox() async throws {
        let server = try await offThePool { try Dovecot() }
        try await offThePool { try server.deliver([Self.message(1), Self.message(2)]) }
        let client = try Self.client(server)
        let hasMove = try await offThePool { try client.move(uid: 1, from: "INBOX", to: "Processed"); return try client.capabilities().contains("MOVE") }
        #expect(hasMove)
        #expect(try server.messages(in: "Processed").map(\.data) == [Self.message(1)])
        #expect(try server.messages(in: "INBOX").map(\.data) == [Self.message(2)])
        // Into the mailbox that now exists, and the source's UIDs still address the right message.
        try await offThePool { try client.move(uid: 2, from: "INBOX", to: "Processed") }
        #expect(try server.messages(in: "Processed").map(\.data).sorted { $0.count < $1.count } == [Self.message(1), Self.message(2)])
        #expect(try server.messages(in: "INBOX").isEmpty)
    }

    @Test func moveWithoutMOVECapabilityCopiesMarksDeletedAndExpungesOnlyThatMessage() async throws {
        let server = try await offThePool { try Dovecot(capabilities: "IMAP4rev1 LITERAL+ UIDPLUS") }
        try await offThePool { try server.deliver([Self.message(1), Self.message(2)]) }
        let client = try Self.client(server)
        let capabilities = try await offThePool { try client.capabilities() }
        #expect(!capabilities.contains("MOVE"))
        try await offThePool { try client.move(uid: 2, from: "INBOX", to: "Processed") }
        #expect(try server.messages(in: "Processed").map(\.data) == [Self.message(2)])
        #expect(try server.messages(in: "INBOX").map(\.data) == [Self.message(1)])
        #expect(try server.messages(in: "INBOX").allSatisfy { !$0.flags.contains("\\Deleted") })
    }

    @Test func wrongPasswordGivesALoginRejectedError() async throws {
        let server = try await offThePool { try Dovecot() }
        let client = try IMAPClient(configuration: .init(url: server.url, username: server.username, password: "wrong", tls: .none))
        let error = await #expect(throws: IMAPError.self) { try await offThePool { try client.select("INBOX") } }
        #expect(error?.kind == .loginRejected)
        #expect(error?.description.contains("login rejected") == true)
        #expect(error?.description.contains(server.url) == true)
    }

    @Test func missingMailboxAndMissingUIDGiveTheirOwnErrors() async throws {
        let server = try await offThePool { try Dovecot() }
        try await offThePool { try server.deliver(Self.message(1)) }
        let client = try Self.client(server)
        let noMailbox = await #expect(throws: IMAPError.self) { try await offThePool { try client.select("Nowhere") } }
        #expect(noMailbox?.kind == .mailboxNotFound)
        #expect(noMailbox?.mailbox == "Nowhere")
        let noMessage = await #expect(throws: IMAPError.self) { try await offThePool { try client.fetch(uid: 9, in: "INBOX") } }
        #expect(noMessage?.kind == .messageNotFound(uid: 9))
        // The connection is still good after both.
        #expect(try await offThePool { try client.fetch(uid: 1, in: "INBOX") } == Self.message(1))
    }

    @Test func mailboxesWithChineseNamesWork() async throws {
        let server = try await offThePool { try Dovecot() }
        // RFC 3501 modified UTF-7 of 收件箱, as dovecot names the folder on disk.
        #expect(server.maildirName(of: "收件箱") == ".&ZTZO9nux-")
        try await offThePool { try server.deliver([Self.message(1), Self.message(2)], to: "收件箱") }
        let client = try Self.client(server)
        let (status, uids, fetched) = try await offThePool {
            (try client.select("收件箱"), try client.uids(from: 1, in: "收件箱"), try client.fetch(uid: 2, in: "收件箱"))
        }
        #expect(status.exists == 2)
        #expect(uids == [1, 2])
        #expect(fetched == Self.message(2))
        try await offThePool { try client.move(uid: 1, from: "收件箱", to: "已处理 & done") }
        #expect(server.maildirName(of: "已处理 & done") == ".&XfJZBHQG- &- done")
        #expect(try server.messages(in: "已处理 & done").map(\.data) == [Self.message(1)])
        #expect(try server.messages(in: "收件箱").map(\.data) == [Self.message(2)])
    }

    @Test func starttlsAndImplicitTLSVerifyWithTheTestCA() async throws {
        let server = try await offThePool { try Dovecot(tls: true) }
        try await offThePool { try server.deliver(Self.message(1)) }
        let starttls = try IMAPClient(configuration: .init(
            url: server.url, username: server.username, password: server.password, tls: .starttls, caFile: server.caFile))
        let implicit = try IMAPClient(configuration: .init(
            url: try #require(server.imapsURL), username: server.username, password: server.password, tls: .implicit, caFile: server.caFile))
        #expect(try await offThePool { try starttls.fetch(uid: 1, in: "INBOX") } == Self.message(1))
        #expect(try await offThePool { try implicit.fetch(uid: 1, in: "INBOX") } == Self.message(1))
    }

    @Test func tlsWithoutTheTestCAFailsWithACertificateError() async throws {
        let server = try await offThePool { try Dovecot(tls: true) }
        let starttls = try IMAPClient(configuration: .init(
            url: server.url, username: server.username, password: server.password, tls: .starttls))
        let implicit = try IMAPClient(configuration: .init(
            url: try #require(server.imapsURL), username: server.username, password: server.password, tls: .implicit))
        let viaStarttls = await #expect(throws: IMAPError.self) { try await offThePool { try starttls.select("INBOX") } }
        let viaImplicit = await #expect(throws: IMAPError.self) { try await offThePool { try implicit.select("INBOX") } }
        #expect(viaStarttls?.kind == .certificateRejected)
        #expect(viaImplicit?.kind == .certificateRejected)
    }

    @Test func plainIMAPToARemoteHostAndMismatchedSchemesAreRefused() throws {
        let remote = #expect(throws: IMAPError.self) {
            try IMAPClient(configuration: .init(url: "imap://mail.example.cn:143", username: "u", password: "p", tls: .none))
        }
        let mismatched = #expect(throws: IMAPError.self) {
            try IMAPClient(configuration: .init(url: "imap://mail.example.cn:993", username: "u", password: "p", tls: .implicit))
        }
        #expect(remote?.kind == .invalidConfiguration)
        #expect(mismatched?.kind == .invalidConfiguration)
    }

    @Test func aMessageOverTheLimitIsReportedAsTooLargeWithoutFetchingIt() async throws {
        let server = try await offThePool { try Dovecot() }
        let large = Self.message(1, body: String(repeating: "大附件", count: 1_000))
        try await offThePool { try server.deliver([large, Self.message(2)]) }
        let client = try Self.client(server, maxMessageBytes: 2_000)
        let error = await #expect(throws: IMAPError.self) { try await offThePool { try client.fetch(uid: 1, in: "INBOX") } }
        #expect(error?.kind == .tooLarge(size: large.count, limit: 2_000))
        // Not fetched, so not \Seen; and the next message still comes.
        #expect(try server.messages(in: "INBOX").first { $0.data == large }?.flags == [])
        #expect(try await offThePool { try client.fetch(uid: 2, in: "INBOX") } == Self.message(2))
    }

    @Test func aChangedUIDValidityShowsInSelect() async throws {
        let server = try await offThePool { try Dovecot() }
        try await offThePool { try server.deliver([Self.message(1), Self.message(2)]) }
        let before = try await offThePool { try Self.client(server).select("INBOX") }
        try await offThePool { try server.resetUIDValidity() }
        let client = try Self.client(server)
        let (after, uids) = try await offThePool { (try client.select("INBOX"), try client.uids(from: 1, in: "INBOX")) }
        #expect(after.uidValidity != before.uidValidity)
        #expect(after.exists == 2)
        #expect(uids == [1, 2])
    }

    @Test func fiveThousandMessagesAreFetchedOverOneConnection() async throws {
        let server = try await offThePool { try Dovecot() }
        let messages = (1...5_000).map { Self.message($0) }
        try await offThePool { try server.deliver(messages) }
        let client = try Self.client(server)
        let fetched = try await offThePool {
            try client.uids(from: 1, in: "INBOX").map { try client.fetch(uid: $0, in: "INBOX") }
        }
        #expect(fetched == messages)
        let logins = server.log().components(separatedBy: "imap-login: Info: Login:").count - 1
        #expect(logins == 1)
    }

    @Test func uidsOfALargeMailboxAreAllListed() async throws {
        let server = try await offThePool { try Dovecot() }
        try await offThePool { try server.deliver((1...25_000).map { Self.message($0) }) }
        let client = try Self.client(server)
        let (all, tail) = try await offThePool { (try client.uids(from: 1, in: "INBOX"), try client.uids(from: 24_990, in: "INBOX")) }
        #expect(all == Array(1...25_000))
        #expect(tail == Array(24_990...25_000))
    }
}
