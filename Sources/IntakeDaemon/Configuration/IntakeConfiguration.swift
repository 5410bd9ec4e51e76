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
    public var retention = RetentionSettings()
    public var log = LogConfiguration()
    public var webhook = WebhookConfiguration()
    public var hotline = HotlineChannelConfiguration()
    public var email = EmailChannelConfiguration()
    public var visits = VisitConfiguration()
    public var classification = ClassificationConfiguration()
    public var dedup = DedupSettings()
    public var forwarding = ForwardingSettings()
    public var admin = AdminConsoleConfiguration()
    /// How acknowledgements leave; needed when an email source has `acknowledge: true`.
    public var smtp: SMTPConfiguration?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case zone, store, retention, log, webhook, hotline, email, visits, classification, dedup, forwarding, admin, smtp
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        zone = try container.value(.zone, default: zone)
        store = try container.value(.store, default: store)
        retention = try container.value(.retention, default: retention)
        log = try container.value(.log, default: log)
        webhook = try container.value(.webhook, default: webhook)
        hotline = try container.value(.hotline, default: hotline)
        email = try container.value(.email, default: email)
        visits = try container.value(.visits, default: visits)
        classification = try container.value(.classification, default: classification)
        dedup = try container.value(.dedup, default: dedup)
        forwarding = try container.value(.forwarding, default: forwarding)
        admin = try container.value(.admin, default: admin)
        smtp = try container.decodeIfPresent(SMTPConfiguration.self, forKey: .smtp)
    }
}

public struct ZoneConfiguration: Sendable, Codable {
    /// IANA name; timestamps in cases carry this zone's offset.
    public var timeZone = "Asia/Shanghai"
    /// Given to 7- and 8-digit local phone numbers.
    public var defaultAreaCode = "022"
    /// What operators and requesters read: `zh-CN` (reports, quarantine reasons, visit
    /// answers' messages and acknowledgements in Chinese) or `en`.
    public var locale = OperatorLocale.zhCN.rawValue

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case timeZone = "time_zone"
        case defaultAreaCode = "default_area_code"
        case locale
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timeZone = try container.value(.timeZone, default: timeZone)
        defaultAreaCode = try container.value(.defaultAreaCode, default: defaultAreaCode)
        locale = try container.value(.locale, default: locale)
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

