/// Where a gateway's PostgreSQL store is and who this gateway is on it (`store.postgres` and
/// `store.node`; not read from the config file yet).
public struct PostgresStoreConfiguration: Sendable, Hashable {
    /// Whether the connection is encrypted.
    public enum TLS: Sendable, Hashable {
        /// Plain TCP; for a server on loopback or a private link.
        case disable
        /// TLS or no connection at all; the server's certificate is verified against the PEM
        /// bundle at `caBundlePath`, or the system's trust store when it is nil.
        case require(caBundlePath: String? = nil)
    }

    /// This gateway's name in the gateways table, the trace and outbox claims.
    public var node: String
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    /// The password itself (the caller reads it from `password_file`); nil for trust or peer authentication.
    public var password: String?
    public var tls: TLS
    /// How long opening one connection may take.
    public var connectTimeoutSecs: Double
    /// Connections this gateway keeps to the database at most.
    public var maximumConnections: Int

    public init(
        node: String = "gw1",
        host: String = "127.0.0.1",
        port: Int = 5432,
        user: String = "intake",
        database: String = "intake",
        password: String? = nil,
        tls: TLS = .disable,
        connectTimeoutSecs: Double = 3,
        maximumConnections: Int = 8
    ) {
        self.node = node
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.tls = tls
        self.connectTimeoutSecs = connectTimeoutSecs
        self.maximumConnections = maximumConnections
    }
}
