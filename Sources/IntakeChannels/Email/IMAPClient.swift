import CCurl
import Foundation

/// A blocking IMAP client over libcurl: one easy handle, so one connection (and its login and
/// selected mailbox) is reused across the calls of a poll.
///
/// Not thread-safe: use it from one thread at a time (libcurl blocks, so run it on a dedicated
/// thread, not on the concurrency pool). Messages are addressed by UID only.
public final class IMAPClient: @unchecked Sendable {
    public struct Configuration: Sendable {
        public enum TLS: Sendable, Hashable {
            /// Plain IMAP; only to a loopback host (tests).
            case none
            /// `imap://` upgraded with STARTTLS, which is required (CURLUSESSL_ALL).
            case starttls
            /// `imaps://`, TLS from the first byte.
            case implicit
        }

        /// `imap://host:port` or `imaps://host:port`, without a mailbox.
        public var url: String
        public var username: String
        public var password: String
        public var tls: TLS
        /// A CA bundle (PEM); without it, the system's. Verification is always on.
        public var caFile: String?
        /// For each command (a whole message fetch included).
        public var timeoutMillis: Int
        public var connectTimeoutMillis: Int
        /// Larger messages are not downloaded: `fetch` throws `.tooLarge`.
        public var maxMessageBytes: Int

        public init(
            url: String, username: String, password: String, tls: TLS = .implicit, caFile: String? = nil,
            timeoutMillis: Int = 60_000, connectTimeoutMillis: Int = 10_000, maxMessageBytes: Int = 25 << 20
        ) {
            self.url = url
            self.username = username
            self.password = password
            self.tls = tls
            self.caFile = caFile
            self.timeoutMillis = timeoutMillis
            self.connectTimeoutMillis = connectTimeoutMillis
            self.maxMessageBytes = maxMessageBytes
        }
    }

    public struct MailboxStatus: Sendable, Hashable {
        public var uidValidity: UInt32
        public var uidNext: UInt32?
        public var exists: Int

        public init(uidValidity: UInt32, uidNext: UInt32?, exists: Int) {
            self.uidValidity = uidValidity
            self.uidNext = uidNext
            self.exists = exists
        }
    }

    let configuration: Configuration
    /// The URL without a trailing slash.
    let baseURL: String
    var handle: UnsafeMutableRawPointer?
    let received = IMAPReceived()
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The mailbox our last SELECT or EXAMINE chose, exactly (libcurl compares names ignoring case).
    var selectedMailbox: String?
    /// Whether it was chosen with EXAMINE (read-only: a fetch there does not set `\Seen`).
    var selectedReadOnly = false
    /// What the last `uids(from:in:)` listed in `selectedMailbox`, and the sizes learnt since;
    /// kept while the same mailbox under the same UIDVALIDITY is selected again (a UID's
    /// message never changes).
    var listedUIDs: [UInt32] = []
    var knownSizes: [UInt32: Int] = [:]
    var listedIn: (mailbox: String, uidValidity: UInt32)?
    var cachedCapabilities: Set<String>?
    /// Mailboxes known to exist (move targets).
    var existingMailboxes: Set<String> = []

    /// UIDs per `UID SEARCH`: an answer line of at most 10 000 × 11 bytes.
    static let searchWindow: UInt32 = 10_000
    static let sizeBatch = 50

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(configuration: Configuration) throws {
        _ = Self.globalInit
        self.configuration = configuration
        var url = configuration.url
        while url.hasSuffix("/") { url.removeLast() }
        baseURL = url
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try Self.validate(configuration, url: url)
        guard let handle = curl_easy_init() else {
            throw IMAPError(kind: .connectionFailed, command: "(none)", url: url, message: "curl_easy_init failed")
        }
        self.handle = handle
        configureHandle(handle)
    }

    deinit {
        close()
        errorBuffer.deallocate()
    }

    /// Logs out and closes the connection; the client cannot be used after.
    public func close() {
        guard let handle else { return }
        curl_easy_cleanup(handle)
        self.handle = nil
        selectedMailbox = nil
    }

    /// Selects `mailbox` (read-write) and returns its UIDVALIDITY, UIDNEXT and message count.
    public func select(_ mailbox: String) throws -> MailboxStatus {
        try open(mailbox, readOnly: false)
    }

    /// SELECT, or EXAMINE when `readOnly`. libcurl SELECTs a URL's mailbox itself only when it
    /// has not selected it on this connection; our command then chooses the mode, and libcurl
    /// (which does not read it) goes on fetching in the mailbox as the server now holds it.
    private func open(_ mailbox: String, readOnly: Bool) throws -> MailboxStatus {
        let verb = readOnly ? "EXAMINE" : "SELECT"
        let command = verb + " " + IMAPMailboxName.quoted(IMAPMailboxName.encode(mailbox))
        selectedMailbox = nil
        let answer = try perform(command, in: mailbox)
        guard let status = IMAPResponse.mailboxStatus(answer.untagged) else {
            throw unexpected(command, mailbox, "no EXISTS or UIDVALIDITY in the \(verb) answer", answer)
        }
        if listedIn?.mailbox != mailbox || listedIn?.uidValidity != status.uidValidity {
            listedUIDs = []
            knownSizes = [:]
            listedIn = (mailbox, status.uidValidity)
        }
        selectedMailbox = mailbox
        selectedReadOnly = readOnly
        return status
    }

    /// UIDs >= `from`, ascending. Selects the mailbox afresh (for its current UIDNEXT), then
    /// asks `UID SEARCH UID a:b` in windows of `searchWindow` UIDs: libcurl 7.88 silently cuts
    /// answer lines longer than half its buffer and refuses answers over 300 KB, so one
    /// `UID SEARCH UID n:*` could lose UIDs of a large mailbox. (`n:*` also answers with the
    /// highest UID when it is below `n`; bounded windows and a filter keep those out.)
    /// The mailbox is left EXAMINEd (read-only), ready for `fetch`.
    public func uids(from: UInt32, in mailbox: String) throws -> [UInt32] {
        let first = max(from, 1)
        let status = try open(mailbox, readOnly: true)
        guard status.exists > 0, let last = try highestUID(status, in: mailbox), last >= first else { return [] }
        listedUIDs = try search(from: first, through: last, in: mailbox)
        return listedUIDs
    }

    /// UIDs <= `last` still in `mailbox`, ascending; with `unseenOnly`, only those without
    /// `\Seen`. For finding taken messages that were never marked or moved.
    public func uids(through last: UInt32, in mailbox: String, unseenOnly: Bool) throws -> [UInt32] {
        try ensureSelected(mailbox)
        guard last >= 1 else { return [] }
        return try search(from: 1, through: last, unseen: unseenOnly, in: mailbox)
    }

    /// `UID SEARCH` over `first...last` in windows of `searchWindow` UIDs, in the selected mailbox.
    private func search(from first: UInt32, through last: UInt32, unseen: Bool = false, in mailbox: String) throws -> [UInt32] {
        // Skip the empty stretch below the oldest message (sparse UIDs, as on Gmail).
        var start = max(first, try lowestUID(in: mailbox) ?? first)
        var uids: [UInt32] = []
        while start <= last {
            let end = start + min(Self.searchWindow - 1, last - start)
            let answer = try perform("UID SEARCH UID \(start):\(end)" + (unseen ? " UNSEEN" : ""), in: mailbox)
            uids += IMAPResponse.searchedUIDs(answer.untagged).filter { $0 >= start && $0 <= end }
            if end == UInt32.max { break }
            start = end + 1
        }
        return uids.sorted()
    }

    /// The whole raw message, exactly as the server holds it; it stays unseen. Throws
    /// `.tooLarge` without downloading a message over `maxMessageBytes`.
    ///
    /// libcurl's own fetch asks `BODY[]`, which sets `\Seen`, and offers no `BODY.PEEK[]`: its
    /// URL only adds a section inside `BODY[…]`, and a custom `UID FETCH n BODY.PEEK[]` comes
    /// back through the response-line parser (the message's lines counted against its 300 KB
    /// answer limit, a line starting with the command's tag taken for the end). So the
    /// mailbox is EXAMINEd for fetching: read-only, where `BODY[]` changes no flag (RFC 3501
    /// §6.3.2), and a message fetched but not committed is still unseen.
    public func fetch(uid: UInt32, in mailbox: String) throws -> Data {
        if selectedMailbox != mailbox || !selectedReadOnly { _ = try open(mailbox, readOnly: true) }
        let size = try messageSize(uid: uid, in: mailbox)
        let limit = configuration.maxMessageBytes
        let command = "UID FETCH \(uid) BODY[]"
        guard size <= limit else {
            throw IMAPError(
                kind: .tooLarge(size: size, limit: limit), command: command, mailbox: mailbox, url: baseURL,
                message: "message UID \(uid) has \(size) bytes, over the limit of \(limit)")
        }
        let answer = try perform(nil, in: mailbox, uid: uid, bodyLimit: limit, expectedBytes: size)
        return answer.body
    }

    /// The server's capabilities after login (upper-cased), asked once per client.
    public func capabilities() throws -> Set<String> {
        if let cachedCapabilities { return cachedCapabilities }
        let answer = try perform("CAPABILITY", in: nil)
        let capabilities = IMAPResponse.capabilities(answer.untagged)
        guard !capabilities.isEmpty else { throw unexpected("CAPABILITY", nil, "no CAPABILITY line", answer) }
        cachedCapabilities = capabilities
        return capabilities
    }

    /// Adds `\Seen` to the message.
    public func markSeen(uid: UInt32, in mailbox: String) throws {
        try markSeen(uids: [uid], in: mailbox)
    }

    /// Adds `\Seen` to the messages, in one command (a few hundred UIDs at most: one line).
    public func markSeen(uids: [UInt32], in mailbox: String) throws {
        guard !uids.isEmpty else { return }
        try ensureWritable(mailbox)
        _ = try perform("UID STORE \(Self.uidSet(uids)) +FLAGS.SILENT (\\Seen)", in: mailbox)
    }

    public func move(uid: UInt32, from mailbox: String, to target: String) throws {
        try move(uids: [uid], from: mailbox, to: target)
    }

    /// Moves the messages to `target`, creating `target` if it is missing:
    /// `MOVE` when the server has it, else `COPY`, `\Deleted` and `UID EXPUNGE` (plain
    /// `EXPUNGE` without UIDPLUS, which also removes other messages already marked `\Deleted`).
    /// One command each for all of `uids` (a few hundred at most: one line).
    public func move(uids: [UInt32], from mailbox: String, to target: String) throws {
        guard !uids.isEmpty else { return }
        try ensureWritable(mailbox)
        let capabilities = try capabilities()
        let quotedTarget = IMAPMailboxName.quoted(IMAPMailboxName.encode(target))
        let set = Self.uidSet(uids)
        try ensureExists(target)
        if capabilities.contains("MOVE") {
            _ = try perform("UID MOVE \(set) \(quotedTarget)", in: mailbox)
            return
        }
        _ = try perform("UID COPY \(set) \(quotedTarget)", in: mailbox)
        _ = try perform("UID STORE \(set) +FLAGS.SILENT (\\Deleted)", in: mailbox)
        _ = try perform(capabilities.contains("UIDPLUS") ? "UID EXPUNGE \(set)" : "EXPUNGE", in: mailbox)
    }

    static func uidSet(_ uids: [UInt32]) -> String {
        uids.map(String.init).joined(separator: ",")
    }

    // MARK: - Helpers

    /// Makes `mailbox` the selected one, read-write unless it is already selected (SEARCH and
    /// FETCH of sizes work either way).
    private func ensureSelected(_ mailbox: String) throws {
        if selectedMailbox != mailbox { _ = try select(mailbox) }
    }

    /// Makes `mailbox` the selected one, read-write (for STORE and MOVE).
    private func ensureWritable(_ mailbox: String) throws {
        if selectedMailbox != mailbox || selectedReadOnly { _ = try select(mailbox) }
    }

    /// The message's RFC822.SIZE. Asked together for up to `sizeBatch` UIDs that `uids(from:in:)`
    /// listed from this one on, so a poll costs about one round trip per message. (libcurl 7.88
    /// counts a multi-line answer roughly quadratically against its 300 KB limit: keep them short.)
    private func messageSize(uid: UInt32, in mailbox: String) throws -> Int {
        if let size = knownSizes[uid] { return size }
        var batch = [uid]
        if let index = listedUIDs.firstIndex(of: uid) {
            batch = Array(listedUIDs[index..<min(listedUIDs.count, index + Self.sizeBatch)])
        }
        let command = "UID FETCH \(batch.map(String.init).joined(separator: ",")) (UID RFC822.SIZE)"
        let answer = try perform(command, in: mailbox)
        let sizes = IMAPResponse.fetchedSizes(answer.untagged)
        knownSizes.merge(sizes) { _, new in new }
        guard let size = sizes[uid] else {
            throw IMAPError(
                kind: .messageNotFound(uid: uid), command: command, mailbox: mailbox, url: baseURL,
                message: "the server has no message with UID \(uid)", serverResponse: IMAPResponse.lastTagged(answer.all))
        }
        return size
    }

    private func highestUID(_ status: MailboxStatus, in mailbox: String) throws -> UInt32? {
        if let uidNext = status.uidNext { return uidNext > 1 ? uidNext - 1 : nil }
        return IMAPResponse.fetchedUIDs(try perform("FETCH * (UID)", in: mailbox).untagged).max()
    }

    private func lowestUID(in mailbox: String) throws -> UInt32? {
        IMAPResponse.fetchedUIDs(try perform("FETCH 1 (UID)", in: mailbox).untagged).min()
    }

    /// Creates `mailbox` unless LIST shows it (once per client and mailbox). Not by trying
    /// the command and creating on `[TRYCREATE]`: libcurl drops the connection on every
    /// command the server refuses.
    private func ensureExists(_ mailbox: String) throws {
        guard !existingMailboxes.contains(mailbox) else { return }
        let encoded = IMAPMailboxName.encode(mailbox)
        let listed = try perform("LIST \"\" " + IMAPMailboxName.quoted(encoded), in: nil).untagged
        let exists = listed.contains { line in
            line.uppercased().hasPrefix("* LIST ") && (line.hasSuffix(" " + encoded) || line.hasSuffix(" " + IMAPMailboxName.quoted(encoded)))
        }
        if !exists {
            do {
                _ = try perform("CREATE " + IMAPMailboxName.quoted(encoded), in: nil)
            } catch let error as IMAPError where error.serverResponse?.uppercased().contains("[ALREADYEXISTS]") == true {
                // Created meanwhile by someone else: as good.
            }
        }
        existingMailboxes.insert(mailbox)
    }

    private func unexpected(_ command: String, _ mailbox: String?, _ message: String, _ answer: IMAPAnswer) -> IMAPError {
        IMAPError(
            kind: .unexpectedResponse, command: command, mailbox: mailbox, url: baseURL, message: message,
            serverResponse: IMAPResponse.lastTagged(answer.all))
    }

    private static func validate(_ configuration: Configuration, url: String) throws {
        func invalid(_ message: String) -> IMAPError {
            IMAPError(kind: .invalidConfiguration, command: "(none)", url: url, message: message)
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), let host = components.host else {
            throw invalid("the URL must look like imaps://host:port")
        }
        guard components.path.isEmpty, components.query == nil else {
            throw invalid("the URL must not name a mailbox or carry a query; mailboxes are given per call")
        }
        switch configuration.tls {
        case .implicit where scheme != "imaps":
            throw invalid("TLS .implicit needs an imaps:// URL")
        case .starttls where scheme != "imap", .none where scheme != "imap":
            throw invalid("TLS .\(configuration.tls) needs an imap:// URL")
        case .none where !["127.0.0.1", "::1", "[::1]", "localhost"].contains(host.lowercased()):
            throw invalid("plain IMAP (TLS .none) would send the password in clear text; it is only allowed to a loopback host")
        default:
            break
        }
    }
}
