import Foundation
import IntakeCore

/// `forwarding.sink` with `type: postgres`. The defaults are `PostgresSinkConfiguration`'s:
/// one default per option (the daemon's copy used to say `database: routing`, the sink's `intake`).
public struct PostgresSinkSettings: Sendable, Hashable {
    public var host = PostgresSinkConfiguration().host
    public var port = PostgresSinkConfiguration().port
    public var user = PostgresSinkConfiguration().user
    public var database = PostgresSinkConfiguration().database
    /// Read by the daemon, which expands `${CREDENTIALS_DIRECTORY}`.
    public var passwordFile: String?
    /// `disable` or `require`.
    public var tls = "disable"
    public var caFile: String?
    public var table = PostgresSinkConfiguration().table
    public var createTable = PostgresSinkConfiguration().createTable
    /// A round's events in one multi-row INSERT and transaction (false: one INSERT and commit per event).
    public var batch = PostgresSinkConfiguration().batch
    public var timeoutMillis = Int(PostgresSinkConfiguration().roundTimeoutSecs * 1000)
    public var connectTimeoutMillis = Int(PostgresSinkConfiguration().connectTimeoutSecs * 1000)

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, host, port, user, database
        case passwordFile = "password_file"
        case tls
        case caFile = "ca_file"
        case table
        case createTable = "create_table"
        case batch
        case timeoutMillis = "timeout_millis"
        case connectTimeoutMillis = "connect_timeout_millis"
    }

    /// The sink's configuration, with the password the daemon read.
    public func configuration(password: String?) -> PostgresSinkConfiguration {
        PostgresSinkConfiguration(
            host: host, port: port, user: user, database: database, password: password,
            tls: tls == "require" ? .require(caBundlePath: caFile) : .disable, table: table, batch: batch, createTable: createTable,
            connectTimeoutSecs: Double(connectTimeoutMillis) / 1000, roundTimeoutSecs: Double(timeoutMillis) / 1000)
    }
}

extension PostgresSinkSettings: ConfigurationSection {
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        host = try container.value(.host, default: host)
        port = try container.value(.port, default: port)
        user = try container.value(.user, default: user)
        database = try container.value(.database, default: database)
        passwordFile = try container.decodeIfPresent(String.self, forKey: .passwordFile)
        tls = try container.value(.tls, default: tls)
        caFile = try container.decodeIfPresent(String.self, forKey: .caFile)
        table = try container.value(.table, default: table)
        createTable = try container.value(.createTable, default: createTable)
        batch = try container.value(.batch, default: batch)
        timeoutMillis = try container.value(.timeoutMillis, default: timeoutMillis)
        connectTimeoutMillis = try container.value(.connectTimeoutMillis, default: connectTimeoutMillis)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        if !["disable", "require"].contains(tls) { report([.key("tls")], "expected disable or require") }
        if !PostgresSinkConfiguration.isValidTableName(table) {
            report([.key("table")], "\"\(table)\" is not a plain lower-case SQL name (a-z, 0-9, _; not starting with a digit; at most 63)")
        }
        if !(1...65_535).contains(port) { report([.key("port")], "expected 1 to 65535, found \(port)") }
        Self.positive(timeoutMillis, "timeout_millis", report)
        Self.positive(connectTimeoutMillis, "connect_timeout_millis", report)
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { report([.key("ca_file")], "cannot read \"\(caFile)\"") }
    }
}
