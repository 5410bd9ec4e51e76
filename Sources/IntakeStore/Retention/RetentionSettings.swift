import IntakeCore

/// The `retention:` section: how long each kind of stored data is kept. Decoded and checked
/// beside the sweeper; `IntakeDatabase.sweep` applies it.
public struct RetentionSettings: Sendable, Hashable, Encodable {
    /// Raw bodies, hotline files, messages and attachments (the bytes; their hashes stay).
    public var rawInputsDays = 180
    /// Delivered outbox rows.
    public var deliveredEventsDays = 30
    public var traceDays = 730
    /// Quarantine entries after they were resolved (open ones are kept).
    public var resolvedQuarantineDays = 90
    /// How often the daemon sweeps; 0 leaves sweeping to `intake retention run`.
    public var sweepIntervalSecs = 3600

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case rawInputsDays = "raw_inputs_days"
        case deliveredEventsDays = "delivered_events_days"
        case traceDays = "trace_days"
        case resolvedQuarantineDays = "resolved_quarantine_days"
        case sweepIntervalSecs = "sweep_interval_secs"
    }
}

extension RetentionSettings: ConfigurationSection {
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        rawInputsDays = try container.value(.rawInputsDays, default: rawInputsDays)
        deliveredEventsDays = try container.value(.deliveredEventsDays, default: deliveredEventsDays)
        traceDays = try container.value(.traceDays, default: traceDays)
        resolvedQuarantineDays = try container.value(.resolvedQuarantineDays, default: resolvedQuarantineDays)
        sweepIntervalSecs = try container.value(.sweepIntervalSecs, default: sweepIntervalSecs)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        Self.positive(rawInputsDays, "raw_inputs_days", report)
        Self.positive(deliveredEventsDays, "delivered_events_days", report)
        Self.positive(traceDays, "trace_days", report)
        Self.positive(resolvedQuarantineDays, "resolved_quarantine_days", report)
        if sweepIntervalSecs < 0 { report([.key("sweep_interval_secs")], "must not be negative (0 turns the sweeper off)") }
        // The trace explains a case's raw input and delivery: it should not go before them.
        if traceDays < rawInputsDays { report([.key("trace_days")], "must be at least raw_inputs_days (\(rawInputsDays))") }
    }
}
