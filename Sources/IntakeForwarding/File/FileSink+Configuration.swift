import IntakeCore

/// `forwarding.sink` with `type: file`.
public struct FileSinkSettings: Sendable, Hashable {
    /// The spool directory.
    public var dir = "./var/outbox"
    /// `batched` (one JSON Lines file per delivery round, names in delivery order) or
    /// `per_event` (one `<idempotency_key>.json` per event).
    public var layout = "per_event"

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case type, dir, layout }
}

extension FileSinkSettings: ConfigurationSection {
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        dir = try container.value(.dir, default: dir)
        layout = try container.value(.layout, default: layout)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        if FileSink.Layout(rawValue: layout) == nil { report([.key("layout")], "expected batched or per_event, found \"\(layout)\"") }
    }
}
