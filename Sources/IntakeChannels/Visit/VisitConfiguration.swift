import Foundation
import IntakeCore

/// The field-visit channel: uploads on the webhook's listener (authenticated by its sources)
/// and an optional drop directory. One default per option, here; the `visits:` section
/// decodes into this type and checks itself.
public struct VisitConfiguration: Sendable, Hashable, Encodable {
    public var enabled = true
    public var maxBodyBytes = 32 << 20
    public var maxAttachmentBytes = 10 << 20
    public var maxAttachmentsPerVisit = 20
    public var maxVisitsPerBatch = 100
    /// Sent with 503 when the store cannot take an upload now (the channel's own; it used to
    /// borrow the webhook's).
    public var retryAfterSecs = 5
    /// The drop directory for `.json`/`.jsonl` batch exports; none when absent.
    public var spoolDir: String?
    public var settleSecs = 10.0
    public var rescanIntervalMillis = 2000

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled
        case maxBodyBytes = "max_body_bytes"
        case maxAttachmentBytes = "max_attachment_bytes"
        case maxAttachmentsPerVisit = "max_attachments_per_visit"
        case maxVisitsPerBatch = "max_visits_per_batch"
        case retryAfterSecs = "retry_after_secs"
        case spoolDir = "spool_dir"
        case settleSecs = "settle_secs"
        case rescanIntervalMillis = "rescan_interval_millis"
    }
}

extension VisitConfiguration: ConfigurationSection {
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        enabled = try container.value(.enabled, default: enabled)
        maxBodyBytes = try container.value(.maxBodyBytes, default: maxBodyBytes)
        maxAttachmentBytes = try container.value(.maxAttachmentBytes, default: maxAttachmentBytes)
        maxAttachmentsPerVisit = try container.value(.maxAttachmentsPerVisit, default: maxAttachmentsPerVisit)
        maxVisitsPerBatch = try container.value(.maxVisitsPerBatch, default: maxVisitsPerBatch)
        retryAfterSecs = try container.value(.retryAfterSecs, default: retryAfterSecs)
        spoolDir = try container.decodeIfPresent(String.self, forKey: .spoolDir)
        settleSecs = try container.value(.settleSecs, default: settleSecs)
        rescanIntervalMillis = try container.value(.rescanIntervalMillis, default: rescanIntervalMillis)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        Self.positive(maxBodyBytes, "max_body_bytes", report)
        Self.positive(maxAttachmentBytes, "max_attachment_bytes", report)
        Self.positive(maxAttachmentsPerVisit, "max_attachments_per_visit", report)
        Self.positive(maxVisitsPerBatch, "max_visits_per_batch", report)
        Self.positive(retryAfterSecs, "retry_after_secs", report)
        Self.positive(rescanIntervalMillis, "rescan_interval_millis", report)
        if settleSecs < 0 { report([.key("settle_secs")], "must not be negative (0 turns the settle rule off)") }
    }
}

extension VisitDecoder {
    /// The decoder with the channel's limits.
    public init(configuration: VisitConfiguration) {
        self.init(
            maxVisitsPerBatch: configuration.maxVisitsPerBatch, maxAttachmentBytes: configuration.maxAttachmentBytes,
            maxAttachmentsPerVisit: configuration.maxAttachmentsPerVisit)
    }
}
