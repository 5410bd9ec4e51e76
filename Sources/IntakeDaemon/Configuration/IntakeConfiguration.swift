import Foundation
import IntakeCore
import IntakeForwarding
import IntakeChannels
import IntakePipeline

/// The daemon's configuration file (YAML). Every option has a default; names carry units.
/// See `deploy/intake.example.yaml` for the annotated form.
public struct IntakeConfiguration: Sendable, Decodable {
    public var zone = ZoneConfiguration()
    public var store = StoreConfiguration()
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

public struct StoreConfiguration: Sendable, Codable {
    public var path = "./var/intake.sqlite"
    public var blobDir = "./var/blobs"
    public var busyTimeoutSecs = 10.0
    /// SQLite's page cache per connection, in MiB.
    public var cacheMiB = 16
    /// How much of the store SQLite reads through a memory map (`PRAGMA mmap_size`), in MiB;
    /// 0 (the default) reads into the page cache above. With millions of cases, a map as large
    /// as the file keeps dedup lookups flat (see the README); mapped pages count in RSS.
    public var mmapMiB = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path
        case blobDir = "blob_dir"
        case busyTimeoutSecs = "busy_timeout_secs"
        case cacheMiB = "cache_mib"
        case mmapMiB = "mmap_mib"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.value(.path, default: path)
        blobDir = try container.value(.blobDir, default: blobDir)
        busyTimeoutSecs = try container.value(.busyTimeoutSecs, default: busyTimeoutSecs)
        cacheMiB = try container.value(.cacheMiB, default: cacheMiB)
        mmapMiB = try container.value(.mmapMiB, default: mmapMiB)
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

/// One hotline export source: a spool directory and the mapping of its export's columns.
public struct HotlineSourceConfiguration: Sendable, Codable {
    public var name: String
    public var spoolDir: String
    /// Default `<spool_dir>/archive` and `<spool_dir>/quarantine`.
    public var archiveDir: String?
    public var quarantineDir: String?
    /// The column mapping (`channels/hotline.yaml`).
    public var mapping = "channels/hotline.yaml"
    /// `auto`, `comma`, `tab` or `semicolon`.
    public var delimiter = "auto"
    /// A file unchanged this long is complete; 0: only markers and renames count.
    public var settleSecs = 10.0
    /// How often the directory is looked at without an inotify event.
    public var rescanIntervalMillis = 2000
    /// Rows per group commit.
    public var batchRows = 2000
    /// A longer record (an unterminated quote swallowing the file) stops the file there.
    public var maxRecordBytes = 1 << 20
    /// A row with more non-empty cells beyond the header is rejected.
    public var maxExtraCells = HotlineColumns.RowLimits().maxCellsBeyondHeader
    /// A row whose unmapped cells hold more bytes (they go to the case's `extra`) is rejected.
    public var maxExtraBytes = HotlineColumns.RowLimits().maxExtraBytes

    public init(name: String, spoolDir: String) {
        self.name = name
        self.spoolDir = spoolDir
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case spoolDir = "spool_dir"
        case archiveDir = "archive_dir"
        case quarantineDir = "quarantine_dir"
        case mapping, delimiter
        case settleSecs = "settle_secs"
        case rescanIntervalMillis = "rescan_interval_millis"
        case batchRows = "batch_rows"
        case maxRecordBytes = "max_record_bytes"
        case maxExtraCells = "max_extra_cells"
        case maxExtraBytes = "max_extra_bytes"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        spoolDir = try container.decode(String.self, forKey: .spoolDir)
        archiveDir = try container.decodeIfPresent(String.self, forKey: .archiveDir)
        quarantineDir = try container.decodeIfPresent(String.self, forKey: .quarantineDir)
        mapping = try container.value(.mapping, default: mapping)
        delimiter = try container.value(.delimiter, default: delimiter)
        settleSecs = try container.value(.settleSecs, default: settleSecs)
        rescanIntervalMillis = try container.value(.rescanIntervalMillis, default: rescanIntervalMillis)
        batchRows = try container.value(.batchRows, default: batchRows)
        maxRecordBytes = try container.value(.maxRecordBytes, default: maxRecordBytes)
        maxExtraCells = try container.value(.maxExtraCells, default: maxExtraCells)
        maxExtraBytes = try container.value(.maxExtraBytes, default: maxExtraBytes)
    }
}

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

