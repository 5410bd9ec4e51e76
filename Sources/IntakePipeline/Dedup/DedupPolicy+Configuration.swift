import IntakeCore

/// The `dedup:` section: on or off, and the policy — decoded and checked beside the policy,
/// whose initialiser holds the one default of each threshold.
public struct DedupSettings: Sendable, Hashable {
    public var enabled = true
    public var policy = DedupPolicy()

    public init() {}

    /// The policy, or nil when deduplication is off.
    public var activePolicy: DedupPolicy? { enabled ? policy : nil }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled
        case windowDays = "window_days"
        case highThreshold = "high_threshold"
        case lowThreshold = "low_threshold"
        case textOnlyThreshold = "text_only_threshold"
        case crossCategoryThreshold = "cross_category_threshold"
        case containmentThreshold = "containment_threshold"
    }
}

extension DedupSettings: ConfigurationSection {
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        enabled = try container.value(.enabled, default: enabled)
        policy.windowSeconds = try container.value(.windowDays, default: policy.windowSeconds / 86400) * 86400
        policy.highThreshold = try container.value(.highThreshold, default: policy.highThreshold)
        policy.lowThreshold = try container.value(.lowThreshold, default: policy.lowThreshold)
        policy.textOnlyThreshold = try container.value(.textOnlyThreshold, default: policy.textOnlyThreshold)
        policy.crossCategoryThreshold = try container.value(.crossCategoryThreshold, default: policy.crossCategoryThreshold)
        policy.containmentThreshold = try container.value(.containmentThreshold, default: policy.containmentThreshold)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        if !(policy.windowSeconds > 0) { report([.key("window_days")], "must be greater than 0") }
        for (value, key) in [
            (policy.lowThreshold, "low_threshold"), (policy.highThreshold, "high_threshold"),
            (policy.textOnlyThreshold, "text_only_threshold"), (policy.crossCategoryThreshold, "cross_category_threshold"),
            (policy.containmentThreshold, "containment_threshold"),
        ] where !(value > 0 && value <= 1) {
            report([.key(key)], "must be in (0, 1], found \(value)")
        }
        let high = policy.highThreshold
        if policy.lowThreshold > high { report([.key("low_threshold")], "must not be above high_threshold (\(high))") }
        if policy.textOnlyThreshold < high {
            report([.key("text_only_threshold")], "must not be below high_threshold (\(high)): text alone needs more")
        }
        if policy.crossCategoryThreshold < high { report([.key("cross_category_threshold")], "must not be below high_threshold (\(high))") }
    }
}
