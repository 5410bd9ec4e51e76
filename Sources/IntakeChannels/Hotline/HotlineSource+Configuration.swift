import Foundation
import IntakeCore

/// One hotline source of the `hotline:` section: its spool directory, mapping and how its
/// files are read. Decoded and checked beside the ingestor, with the ingestor's defaults;
/// the daemon expands paths, loads the mapping and assembles the source.
public struct HotlineSourceConfiguration: Sendable, Hashable, Codable {
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
    public var batchRows = HotlineIngestor.Settings(source: "").batchRows
    /// A longer record (an unterminated quote swallowing the file) stops the file there.
    public var maxRecordBytes = HotlineIngestor.Settings(source: "").maxRecordBytes
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

extension HotlineSourceConfiguration: ConfigurationSection {
    static let delimiters: [String: UInt8?] = ["auto": nil, "comma": UInt8(ascii: ","), "tab": UInt8(ascii: "\t"), "semicolon": UInt8(ascii: ";")]

    /// The delimiter byte (nil to sniff), or nil when the name is not one of the four.
    public var delimiterByte: UInt8?? { Self.delimiters[delimiter] }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        if name.isEmpty { report([.key("name")], "must not be empty") }
        if delimiterByte == nil { report([.key("delimiter")], "expected auto, comma, tab or semicolon") }
        if settleSecs < 0 { report([.key("settle_secs")], "must not be negative (0 turns the settle rule off)") }
        Self.positive(rescanIntervalMillis, "rescan_interval_millis", report)
        Self.positive(batchRows, "batch_rows", report)
        Self.positive(maxRecordBytes, "max_record_bytes", report)
        if maxExtraCells < 0 { report([.key("max_extra_cells")], "must be 0 or more") }
        Self.positive(maxExtraBytes, "max_extra_bytes", report)
    }

    /// The ingestor's settings of this source.
    public func ingestorSettings(delimiter: UInt8?) -> HotlineIngestor.Settings {
        HotlineIngestor.Settings(
            source: name, delimiter: delimiter, batchRows: batchRows, maxRecordBytes: maxRecordBytes,
            rowLimits: HotlineColumns.RowLimits(maxCellsBeyondHeader: maxExtraCells, maxExtraBytes: maxExtraBytes))
    }
}
