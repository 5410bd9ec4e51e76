import Foundation
import IntakeStore
import Logging
import PostgresNIO
import Synchronization

/// Inserts case events into the routing-queue table (`deploy/routing_queue.sql`), from which
/// the routing system takes them with `FOR UPDATE SKIP LOCKED`.
///
/// A round's events go in one INSERT, one transaction, with `ON CONFLICT (idempotency_key)
/// DO NOTHING`: a retried or replayed event is `delivered` without a second row. A round
/// that the server, the network or the timeout cuts short is `retry` for every event; a row
/// the server refuses for its content sends the round through again one event at a time, so
/// that only the bad event is `reject`ed.
public final class PostgresSink: Sink {
    public let name = "postgres"
    public let configuration: PostgresSinkConfiguration
    private let table: RoutingQueueTable
    private let client: PostgresClient
    private let logger: Logger
    /// Whether the table is known to be there; cleared after a failed round, so that a
    /// dropped table is created again.
    private let tableChecked = Mutex(false)

    /// Checks the configuration and prepares the connection pool; connects only when
    /// `run()` runs and a round needs a connection.
    public init(configuration: PostgresSinkConfiguration, logger: Logger) throws(PostgresSinkConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.table = try RoutingQueueTable(name: configuration.table)
        self.logger = logger
        var client = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.user,
            password: configuration.password, database: configuration.database, tls: try Self.tls(configuration.tls)
        )
        client.options.connectTimeout = .milliseconds(Int64(configuration.connectTimeoutSecs * 1000))
        // The forwarder runs one round at a time: one connection, and one to replace it.
        client.options.maximumConnections = 2
        self.client = PostgresClient(configuration: client, backgroundLogger: logger)
    }

    /// Runs the connection pool until cancelled (the forwarder keeps it clear of the graceful
    /// shutdown, so that the last round still has its connection).
    public func run() async throws {
        await client.run()
    }

    public func deliver(_ events: [OutboxEvent]) async -> [DeliveryOutcome] {
        guard !events.isEmpty else { return [] }
        let leased = Flag()
        do {
            let outcomes = try await withTimeout(seconds: configuration.roundTimeoutSecs) {
                try await self.client.withConnection { connection in
                    leased.set()
                    return try await withTaskCancellationHandler {
                        try await self.deliver(events, on: connection)
                    } onCancel: {
                        // A query does not stop when its task is cancelled; closing its
                        // connection does, and the pool replaces the connection.
                        let closed: EventLoopFuture<Void> = connection.close()
                        _ = closed
                    }
                }
            }
            guard let outcomes else {
                // The pool logs why it cannot connect ("Connection creation failed").
                let what = leased.isSet ? "no answer" : "no connection"
                throw PostgresFailure.transient("postgres \(server): \(what) within \(configuration.roundTimeoutSecs) s (round_timeout_secs)")
            }
            return outcomes
        } catch {
            tableChecked.withLock { $0 = false }
            let failure = PostgresFailure(error, server: server)
            logger.warning("postgres round failed", metadata: [
                "intake.sink": "\(name)", "intake.events": "\(events.count)", "error": "\(failure.reason)",
            ])
            switch failure {
            case .transient(let reason): return events.map { _ in .retry(reason: reason, notBefore: nil) }
            case .badData(let reason), .permanent(let reason): return events.map { _ in .reject(reason: reason) }
            }
        }
    }

    private func deliver(_ events: [OutboxEvent], on connection: PostgresConnection) async throws -> [DeliveryOutcome] {
        try await createTableIfNeeded(on: connection)
        if configuration.batch {
            do {
                let added = try await insert(events, on: connection)
                logger.debug("postgres round inserted", metadata: [
                    "intake.sink": "\(name)", "intake.events": "\(events.count)", "intake.new": "\(added.count)",
                ])
                return events.map { delivered($0, added) }
            } catch {
                guard case .badData(let reason) = PostgresFailure(error, server: server) else { throw error }
                logger.warning("postgres refused a row of the round, inserting one by one", metadata: [
                    "intake.sink": "\(name)", "intake.events": "\(events.count)", "error": "\(reason)",
                ])
            }
        }
        return try await insertOneByOne(events, on: connection)
    }

    /// Each event in its own statement: the bad ones are rejected, the others delivered. A
    /// server or network failure ends the round there, the rest left for a retry; an error
    /// that no insert can escape rejects the rest.
    private func insertOneByOne(_ events: [OutboxEvent], on connection: PostgresConnection) async throws -> [DeliveryOutcome] {
        var outcomes: [DeliveryOutcome] = []
        for (index, event) in events.enumerated() {
            do {
                outcomes.append(delivered(event, try await insert([event], on: connection)))
            } catch {
                switch PostgresFailure(error, server: server) {
                case .badData(let reason):
                    logger.error("postgres refused an event", metadata: [
                        "intake.sink": "\(name)", "intake.case.id": "\(event.caseID)",
                        "intake.idempotency_key": "\(event.idempotencyKey)", "error": "\(reason)",
                    ])
                    outcomes.append(.reject(reason: reason))
                case .permanent(let reason):
                    // Not about this event (a privilege, the table's shape): none of the rest can pass either.
                    logger.error("postgres refuses every insert", metadata: ["intake.sink": "\(name)", "error": "\(reason)"])
                    outcomes += events[index...].map { _ in .reject(reason: reason) }
                    return outcomes
                case .transient(let reason):
                    // Rows already inserted stay inserted; the rest waits for the next round.
                    tableChecked.withLock { $0 = false }
                    outcomes += events[index...].map { _ in .retry(reason: reason, notBefore: nil) }
                    return outcomes
                }
            }
        }
        return outcomes
    }

    /// Inserts the events; the keys of the rows it added, with their ids.
    private func insert(_ events: [OutboxEvent], on connection: PostgresConnection) async throws -> [String: Int64] {
        let query: PostgresQuery
        do {
            query = try table.insertQuery(events)
        } catch {
            throw PostgresFailure.badData("the payload of \(error.event.idempotencyKey) is not UTF-8 text")
        }
        var added: [String: Int64] = [:]
        for try await (key, id) in try await connection.query(query, logger: logger).decode((String, Int64).self) {
            added[key] = id
        }
        return added
    }

    private func delivered(_ event: OutboxEvent, _ added: [String: Int64]) -> DeliveryOutcome {
        if let id = added[event.idempotencyKey] {
            .delivered(detail: "\(table.name) id \(id)")
        } else {
            .delivered(detail: "already in \(table.name)")
        }
    }

    /// Creates the table and its index unless they are there, once per run (and again after a failure).
    private func createTableIfNeeded(on connection: PostgresConnection) async throws {
        guard configuration.createTable, !tableChecked.withLock({ $0 }) else { return }
        // Asking first keeps a role without CREATE working once an owner has made the table.
        var exists = false
        for try await (regclass,) in try await connection.query(table.existsQuery, logger: logger).decode((String?,).self) {
            exists = regclass != nil
        }
        if !exists {
            for statement in table.createStatements {
                do {
                    try await connection.query(statement, logger: logger)
                } catch {
                    // Two intakes creating the table at once: one of them fails on a unique
                    // index of the catalog (23505); its next round finds the table there.
                    guard case .badData(let reason) = PostgresFailure(error, server: server) else { throw error }
                    throw PostgresFailure.transient("postgres \(server): creating \(table.name): \(reason)")
                }
            }
            logger.notice("created the routing-queue table", metadata: ["intake.sink": "\(name)", "intake.table": "\(table.name)"])
        }
        tableChecked.withLock { $0 = true }
    }

    private var server: String { "\(configuration.host):\(configuration.port)/\(configuration.database)" }

    private static func tls(_ tls: PostgresSinkConfiguration.TLS) throws(PostgresSinkConfigurationError) -> PostgresClient.Configuration.TLS {
        switch tls {
        case .disable:
            return .disable
        case .require(let caBundlePath):
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            if let caBundlePath {
                do {
                    tlsConfiguration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caBundlePath))
                } catch {
                    throw .unreadableCABundle(path: caBundlePath, reason: "\(error)")
                }
            }
            return .require(tlsConfiguration)
        }
    }
}

/// Whether a round got as far as a connection.
private final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// Runs `body`, cancelling it after `seconds`; nil then.
private func withTimeout<Value: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value? {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}
