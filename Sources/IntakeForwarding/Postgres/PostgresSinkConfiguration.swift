/// Where and how the `postgres` sink writes: a server, a database, and the routing-queue
/// table documented in `deploy/routing_queue.sql`.
public struct PostgresSinkConfiguration: Sendable, Hashable {
    /// Whether the connection is encrypted.
    public enum TLS: Sendable, Hashable {
        /// Plain TCP; for a server on loopback or a private link.
        case disable
        /// TLS or no connection at all. The server's certificate is verified against the
        /// PEM bundle at `caBundlePath`, or the system's trust store when it is nil.
        case require(caBundlePath: String? = nil)
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    /// The password itself (the caller reads it from its secret file); nil for trust or peer authentication.
    public var password: String?
    public var tls: TLS
    /// The routing-queue table: a plain lower-case SQL identifier (`^[a-z_][a-z0-9_]*$`).
    public var table: String
    /// True: a round's events go in one multi-row INSERT, one transaction. False: one
    /// INSERT per event, each committed alone.
    public var batch: Bool
    /// Creates the table and its index, if absent, before the first insert.
    public var createTable: Bool
    /// How long opening one connection may take.
    public var connectTimeoutSecs: Double
    /// How long a whole round may take (waiting for a connection included) before its events
    /// are reported for retry.
    public var roundTimeoutSecs: Double

    public init(
        host: String = "127.0.0.1",
        port: Int = 5432,
        user: String = "intake",
        database: String = "routing",
        password: String? = nil,
        tls: TLS = .disable,
        table: String = "routing_queue",
        batch: Bool = true,
        createTable: Bool = true,
        connectTimeoutSecs: Double = 3,
        roundTimeoutSecs: Double = 10
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.tls = tls
        self.table = table
        self.batch = batch
        self.createTable = createTable
        self.connectTimeoutSecs = connectTimeoutSecs
        self.roundTimeoutSecs = roundTimeoutSecs
    }

    /// Checks what can be checked without a server; `intake check` reports these.
    public func validate() throws(PostgresSinkConfigurationError) {
        if !Self.isValidTableName(table) { throw .invalidTableName(table) }
        if !(1...65_535).contains(port) { throw .invalidPort(port) }
        if !(connectTimeoutSecs > 0) { throw .invalidTimeout(field: "connect_timeout_secs", connectTimeoutSecs) }
        if !(roundTimeoutSecs > 0) { throw .invalidTimeout(field: "round_timeout_secs", roundTimeoutSecs) }
    }

    /// `^[a-z_][a-z0-9_]*$`, at most 63 bytes (PostgreSQL's identifier limit): the table name
    /// is the one part of the SQL that cannot be a bind parameter, so nothing else gets in.
    public static func isValidTableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63 else { return false }
        func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "_") }
        return isLetter(first) && name.utf8.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

/// A `postgres` sink setting that cannot work, found before any connection is made.
public enum PostgresSinkConfigurationError: Error, Hashable, CustomStringConvertible {
    case invalidTableName(String)
    case invalidPort(Int)
    case invalidTimeout(field: String, Double)
    case unreadableCABundle(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidTableName(let name):
            "table: \"\(name)\" is not a plain lower-case SQL name (letters a-z, digits, _; not starting with a digit; at most 63)"
        case .invalidPort(let port):
            "port: \(port) is not between 1 and 65535"
        case .invalidTimeout(let field, let value):
            "\(field): \(value) must be more than 0"
        case .unreadableCABundle(let path, let reason):
            "tls.ca_file: cannot read the CA bundle \(path): \(reason)"
        }
    }
}
