import Foundation
import Logging
import PostgresNIO

/// A gateway's store on a PostgreSQL database that several gateways share: the same tables,
/// constraints and guarantees as the SQLite store (`IntakeDatabase`), and what sharing needs
/// besides: migrations applied once however many gateways start together, deduplication
/// serialised on identity keys across gateways, an outbox every gateway drains, the gateways
/// seen.
///
/// Not selectable from the config yet (issue 17): the daemon runs on `IntakeDatabase`.
public final class PostgresStore: Sendable {
    public let configuration: PostgresStoreConfiguration
    let client: PostgresClient
    let logger: Logger
    /// Admissions waiting for the next group transaction.
    let admissions = AdmissionQueue()
    /// The store's time: when a step is traced or an event queued.
    public let clock: @Sendable () -> Date

    /// Prepares the connection pool; connects when `run()` runs and a call needs a connection.
    public init(
        configuration: PostgresStoreConfiguration, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        var client = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.user,
            password: configuration.password, database: configuration.database, tls: try Self.tls(configuration.tls))
        client.options.connectTimeout = .milliseconds(Int64(configuration.connectTimeoutSecs * 1000))
        client.options.maximumConnections = configuration.maximumConnections
        self.client = PostgresClient(configuration: client, backgroundLogger: logger)
    }

    /// Runs the connection pool and the group-commit loop until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.commitAdmissions() }
        }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled
    /// back when it throws (its error is rethrown as it was, not wrapped).
    func transaction<Value: Sendable>(_ body: (PostgresConnection) async throws -> Value) async throws -> Value {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                // A connection the rollback fails on is closed, and the pool replaces it.
                do { try await connection.query("ROLLBACK", logger: logger) } catch { try? await connection.close() }
                throw error
            }
        }
    }

    private static func tls(_ tls: PostgresStoreConfiguration.TLS) throws -> PostgresClient.Configuration.TLS {
        switch tls {
        case .disable:
            return .disable
        case .require(let caBundlePath):
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            if let caBundlePath { tlsConfiguration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caBundlePath)) }
            return .require(tlsConfiguration)
        }
    }
}
