import IntakeCore

/// The `forwarding.sink:` section: one case per sink type, each decoded and checked beside
/// its sink, so that an option of another sink (`url:` under a file sink) is refused instead
/// of ignored. `type` picks the case; `file` when it is absent.
public enum SinkSettings: Sendable, Hashable {
    case file(FileSinkSettings)
    case http(HTTPSinkSettings)
    case postgres(PostgresSinkSettings)
    /// A `type` no sink has: kept so that `validate` reports it beside every other mistake of
    /// the file, instead of decoding stopping at it. Never built into a sink.
    case unknown(String)

    public static let types = ["file", "http", "postgres"]

    public var type: String {
        switch self {
        case .file: "file"
        case .http: "http"
        case .postgres: "postgres"
        case .unknown(let type): type
        }
    }
}

extension SinkSettings: ConfigurationSection {
    enum TypeKey: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        let type = try container.decodeIfPresent(String.self, forKey: .type) ?? "file"
        switch type {
        case "file": self = .file(try FileSinkSettings(from: decoder))
        case "http": self = .http(try HTTPSinkSettings(from: decoder))
        case "postgres": self = .postgres(try PostgresSinkSettings(from: decoder))
        default: self = .unknown(type)
        }
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        switch self {
        case .file(let settings): settings.validate(report)
        case .http(let settings): settings.validate(report)
        case .postgres(let settings): settings.validate(report)
        case .unknown(let type): report([.key("type")], "unknown sink \"\(type)\"; expected \(Self.types.joined(separator: ", "))")
        }
    }
}
