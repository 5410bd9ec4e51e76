import Foundation
import IntakeCore
import IntakeStore
import IntakeForwarding
import IntakeChannels
import IntakePipeline

/// The daemon's configuration file (YAML). Every option has a default; names carry units.
/// See `deploy/intake.example.yaml` for the annotated form.
public struct IntakeConfiguration: Sendable, Decodable {
    public var zone = ZoneConfiguration()
    public var store = StoreSettings()
    public var log = LogConfiguration()
    public var webhook = WebhookConfiguration()
    public var hotline = HotlineChannelConfiguration()
    public var email = EmailChannelConfiguration()
    public var visits = VisitConfiguration()
    public var classification = ClassificationConfiguration()
    public var dedup = DedupSettings()
    public var forwarding = ForwardingSettings()

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case zone, store, log, webhook, hotline, email, visits, classification, dedup, forwarding
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        zone = try container.value(.zone, default: zone)
        store = try container.value(.store, default: store)
        log = try container.value(.log, default: log)
        webhook = try container.value(.webhook, default: webhook)
        hotline = try container.value(.hotline, default: hotline)
        email = try container.value(.email, default: email)
        visits = try container.value(.visits, default: visits)
        classification = try container.value(.classification, default: classification)
        dedup = try container.value(.dedup, default: dedup)
        forwarding = try container.value(.forwarding, default: forwarding)
    }
}

public struct ZoneConfiguration: Sendable, Codable {
    /// IANA name; timestamps in cases carry this zone's offset.
    public var timeZone = "Asia/Shanghai"
    /// Given to 7- and 8-digit local phone numbers.
    public var defaultAreaCode = "022"

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case timeZone = "time_zone"
        case defaultAreaCode = "default_area_code"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timeZone = try container.value(.timeZone, default: timeZone)
        defaultAreaCode = try container.value(.defaultAreaCode, default: defaultAreaCode)
    }
}

public struct LogConfiguration: Sendable, Codable {
    /// trace, debug, info, notice, warning, error, critical
    public var level = "info"
    /// `logfmt` or `json`: one line per event on stderr, with the syslog priority prefix
    /// (`<6>`) that journald reads.
    public var format = "logfmt"

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case level, format }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        level = try container.value(.level, default: level)
        format = try container.value(.format, default: format)
    }
}

/// A channel kind's section: on or off, and its configured instances (`sources`).
public struct ChannelSources<Source: Sendable & Codable>: Sendable, Codable {
    public var enabled = true
    public var sources: [Source] = []

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case enabled, sources }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try container.value(.enabled, default: enabled)
        sources = try container.value(.sources, default: sources)
    }
}

public typealias HotlineChannelConfiguration = ChannelSources<HotlineSourceConfiguration>
public typealias EmailChannelConfiguration = ChannelSources<EmailSourceConfiguration>

/// One IMAP account the gateway reads.
public struct EmailSourceConfiguration: Sendable, Codable {
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
    }
}

/// Where categories, department hints and deadlines come from; without a taxonomy, cases
/// carry none.
public struct ClassificationConfiguration: Sendable, Codable {
    /// `channels/taxonomy.yaml`.
    public var taxonomy: String?
    /// `channels/holidays.yaml`: holidays and make-up working days; weekends only without it.
    public var holidays: String?
    /// `channels/classification_examples.tsv`: labelled demands the examples model learns
    /// from (at start-up and on SIGHUP); keywords alone decide without it.
    public var examples: String?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case taxonomy, holidays, examples }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        taxonomy = try container.decodeIfPresent(String.self, forKey: .taxonomy)
        holidays = try container.decodeIfPresent(String.self, forKey: .holidays)
        examples = try container.decodeIfPresent(String.self, forKey: .examples)
    }
}

