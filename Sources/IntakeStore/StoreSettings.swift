import IntakeCore

/// The `store:` section: where the SQLite store and the blob directory are, and how SQLite
/// is tuned. Decoded and checked beside the store; `IntakeDatabase(settings:)` opens it.
public struct StoreSettings: Sendable, Hashable, Encodable {
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
}

extension StoreSettings: ConfigurationSection {
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        path = try container.value(.path, default: path)
        blobDir = try container.value(.blobDir, default: blobDir)
        busyTimeoutSecs = try container.value(.busyTimeoutSecs, default: busyTimeoutSecs)
        cacheMiB = try container.value(.cacheMiB, default: cacheMiB)
        mmapMiB = try container.value(.mmapMiB, default: mmapMiB)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        if mmapMiB < 0 { report([.key("mmap_mib")], "must not be negative (0 turns the map off)") }
        Self.positive(cacheMiB, "cache_mib", report)
        if !(busyTimeoutSecs > 0) { report([.key("busy_timeout_secs")], "must be greater than 0") }
    }
}

extension IntakeDatabase {
    /// Opens (creating and migrating as needed) the store the settings name.
    public convenience init(settings: StoreSettings) throws {
        try self.init(path: settings.path, busyTimeoutSecs: settings.busyTimeoutSecs, cacheMiB: settings.cacheMiB, mmapMiB: settings.mmapMiB)
    }
}
