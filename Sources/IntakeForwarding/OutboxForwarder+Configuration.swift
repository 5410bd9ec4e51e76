import IntakeCore

/// The `forwarding:` section: the sink (one case per type) and the forwarder's rounds and
/// retries, decoded and checked beside the forwarder. One default per option: the
/// forwarder's and the retry policy's own.
public struct ForwardingSettings: Sendable, Hashable {
    public var sink = SinkSettings.file(FileSinkSettings())
    public var forwarder = OutboxForwarder.Configuration()

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sink
        case batchSize = "batch_size"
        case pollIntervalMillis = "poll_interval_millis"
        case roundIntervalMillis = "round_interval_millis"
        case retry
    }
}

extension ForwardingSettings: ConfigurationSection {
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        sink = try container.value(.sink, default: sink)
        forwarder.batchSize = try container.value(.batchSize, default: forwarder.batchSize)
        forwarder.pollIntervalMillis = try container.value(.pollIntervalMillis, default: forwarder.pollIntervalMillis)
        forwarder.roundIntervalMillis = try container.value(.roundIntervalMillis, default: forwarder.roundIntervalMillis)
        forwarder.retry = try container.value(.retry, default: forwarder.retry)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        sink.validate { path, message in report([.key("sink")] + path, message) }
        Self.positive(forwarder.batchSize, "batch_size", report)
        Self.positive(forwarder.pollIntervalMillis, "poll_interval_millis", report)
        if forwarder.roundIntervalMillis < 0 { report([.key("round_interval_millis")], "must not be negative") }
        forwarder.retry.validate { path, message in report([.key("retry")] + path, message) }
    }
}

/// `forwarding.retry:`.
extension RetryPolicy: ConfigurationSection {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case initialBackoffSecs = "initial_backoff_secs"
        case maxBackoffSecs = "max_backoff_secs"
        case maxAttempts = "max_attempts"
        case maxAgeSecs = "max_age_secs"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        initialBackoffSecs = try container.value(.initialBackoffSecs, default: initialBackoffSecs)
        maxBackoffSecs = try container.value(.maxBackoffSecs, default: maxBackoffSecs)
        maxAttempts = try container.value(.maxAttempts, default: maxAttempts)
        maxAgeSecs = try container.value(.maxAgeSecs, default: maxAgeSecs)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        Self.positive(maxAttempts, "max_attempts", report)
        if initialBackoffSecs <= 0 || maxBackoffSecs < initialBackoffSecs { report([], "need 0 < initial_backoff_secs <= max_backoff_secs") }
    }
}
