import Foundation
import IntakeCore

/// One IMAP account of the `email:` section: decoded and checked beside the email channel;
/// the daemon reads the password file, expands paths and assembles the poller.
public struct EmailSourceConfiguration: Sendable, Hashable, Codable {
    public var name: String
    /// `imaps://host:993` (implicit TLS), `imap://host:143` with `tls: starttls`, or plain
    /// `imap://` with `tls: none` (loopback only).
    public var url: String
    public var username: String
    public var passwordFile: String
    /// `implicit`, `starttls` or `none`.
    public var tls = "implicit"
    public var caFile: String?
    public var mailboxes = ["INBOX"]
    /// After a message's case is committed: `seen`, `move` (to `processed_mailbox`) or `keep`.
    public var after = "seen"
    public var processedMailbox = "Processed"
    public var pollIntervalSecs = 30.0
    public var timeoutMillis = 30_000
    public var connectTimeoutMillis = 10_000
    /// Larger messages are not fetched: traced as refused and left on the server.
    public var maxMessageBytes = 25 << 20
    /// Larger attachments are recorded with their size, not stored.
    public var maxAttachmentBytes = 10 << 20
    /// One case per demand when a new message enumerates several ("1、… 2、…").
    public var splitDemands = false
    /// A new request's sender gets one acknowledgement with the case number (needs `smtp:`).
    public var acknowledge = false

    public init(name: String, url: String, username: String, passwordFile: String) {
        self.name = name
        self.url = url
        self.username = username
        self.passwordFile = passwordFile
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, url, username
        case passwordFile = "password_file"
        case tls
        case caFile = "ca_file"
        case mailboxes, after
        case processedMailbox = "processed_mailbox"
        case pollIntervalSecs = "poll_interval_secs"
        case timeoutMillis = "timeout_millis"
        case connectTimeoutMillis = "connect_timeout_millis"
        case maxMessageBytes = "max_message_bytes"
        case maxAttachmentBytes = "max_attachment_bytes"
        case splitDemands = "split_demands"
        case acknowledge
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        url = try container.decode(String.self, forKey: .url)
        username = try container.decode(String.self, forKey: .username)
        passwordFile = try container.decode(String.self, forKey: .passwordFile)
        tls = try container.value(.tls, default: tls)
        caFile = try container.decodeIfPresent(String.self, forKey: .caFile)
        mailboxes = try container.value(.mailboxes, default: mailboxes)
        after = try container.value(.after, default: after)
        processedMailbox = try container.value(.processedMailbox, default: processedMailbox)
        pollIntervalSecs = try container.value(.pollIntervalSecs, default: pollIntervalSecs)
        timeoutMillis = try container.value(.timeoutMillis, default: timeoutMillis)
        connectTimeoutMillis = try container.value(.connectTimeoutMillis, default: connectTimeoutMillis)
        maxMessageBytes = try container.value(.maxMessageBytes, default: maxMessageBytes)
        maxAttachmentBytes = try container.value(.maxAttachmentBytes, default: maxAttachmentBytes)
        splitDemands = try container.value(.splitDemands, default: splitDemands)
        acknowledge = try container.value(.acknowledge, default: acknowledge)
    }
}

extension EmailSourceConfiguration: ConfigurationSection {
    /// The connection's TLS, or nil when `tls` is not one of the three.
    public var tlsMode: IMAPClient.Configuration.TLS? {
        ["implicit": .implicit, "starttls": .starttls, "none": IMAPClient.Configuration.TLS.none][tls]
    }

    /// What happens to a message after its commit, or nil when `after` is not one of the three.
    public var afterCommit: MailboxPoller.AfterCommit? {
        ["seen": .markSeen, "keep": .keep, "move": .move(to: processedMailbox)][after]
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        if name.isEmpty { report([.key("name")], "must not be empty") }
        let scheme = url.split(separator: ":").first.map { $0.lowercased() }
        if let mode = tlsMode {
            if mode == .implicit, scheme != "imaps" {
                report([.key("url")], "tls: implicit needs an imaps:// URL, found \"\(url)\"")
            } else if mode != .implicit, scheme != "imap" {
                report([.key("url")], "tls: \(tls) needs an imap:// URL, found \"\(url)\"")
            }
        } else {
            report([.key("tls")], "expected implicit, starttls or none")
        }
        if URL(string: url)?.host == nil { report([.key("url")], "expected imaps://host[:port] or imap://host[:port]") }
        if mailboxes.isEmpty { report([.key("mailboxes")], "name at least one mailbox, e.g. [INBOX]") }
        if afterCommit == nil { report([.key("after")], "expected seen, move or keep") }
        if pollIntervalSecs <= 0 { report([.key("poll_interval_secs")], "must be greater than 0") }
        Self.positive(timeoutMillis, "timeout_millis", report)
        Self.positive(connectTimeoutMillis, "connect_timeout_millis", report)
        Self.positive(maxMessageBytes, "max_message_bytes", report)
        Self.positive(maxAttachmentBytes, "max_attachment_bytes", report)
    }
}
