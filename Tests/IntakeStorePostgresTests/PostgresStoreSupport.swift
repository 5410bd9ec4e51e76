import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore
import IntakeStorePostgres
import IntakeTestSupport
import Logging
import PostgresNIO

/// A database of its own on the shared test server, for one test.
func makeTestDatabase() async throws -> (PostgresServer, String) {
    let server = try await PostgresServer.shared()
    let name = "intake_" + UUID().uuidString.prefix(8).lowercased()
    try await server.withConnection { connection in
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: quietLogger)
    }
    return (server, name)
}

/// A gateway's store on the database, not running yet.
func makeGateway(_ node: String, on server: PostgresServer, database: String) throws -> PostgresStore {
    try PostgresStore(
        configuration: PostgresStoreConfiguration(
            node: node, host: "127.0.0.1", port: server.port, user: server.user, database: database, maximumConnections: 4),
        logger: quietLogger)
}

/// `count` gateways (`gw1`, `gw2`, …) on one database, their connection pools running while `body` runs.
func withGateways<Value: Sendable>(
    _ count: Int, on server: PostgresServer, database: String, _ body: @Sendable ([PostgresStore]) async throws -> Value
) async throws -> Value {
    let stores = try (1...count).map { try makeGateway("gw\($0)", on: server, database: database) }
    return try await withThrowingTaskGroup(of: Value?.self) { group in
        for store in stores { group.addTask { await store.run(); return nil } }
        defer { group.cancelAll() }
        return try await body(stores)
    }
}

/// A connection of the test's own to the database, closed after `body`.
func withConnection<Value: Sendable>(
    to database: String, on server: PostgresServer, _ body: (PostgresConnection) async throws -> Value
) async throws -> Value {
    let configuration = PostgresConnection.Configuration(
        host: "127.0.0.1", port: server.port, username: server.user, password: nil, database: database, tls: .disable)
    let connection = try await PostgresConnection.connect(configuration: configuration, id: 2, logger: quietLogger)
    do {
        let value = try await body(connection)
        try await connection.close()
        return value
    } catch {
        try? await connection.close()
        throw error
    }
}

/// Runs a query of the test's own on the database and returns its single integer.
func count(_ sql: String, on server: PostgresServer, database: String) async throws -> Int {
    try await withConnection(to: database, on: server) { connection in
        for try await (value,) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: quietLogger).decode((Int64,).self) {
            return Int(value)
        }
        return 0
    }
}

/// A request's case and its raw input, as a gateway would admit it (a webhook request unless told).
func requestItem(
    ref: String, text: String = "厂房用地规划许可进度咨询，请尽快答复。", phone: String = "+8613800138000", deduplicated: Bool = false,
    versioning: AdmissionItem.Versioning = .once, channel: IntakeCore.Channel = .webhook, source: String = "portal"
) -> (AdmissionItem, RawInput) {
    let raw = RawInput(channel: channel, source: source, mediaType: "application/json", body: Data("{\"ref\":\"\(ref)\",\"description\":\"\(text)\"}".utf8))
    let now = Date()
    let intakeCase = IntakeCase(
        id: UUIDv7.generate(at: now), channel: channel, source: source, ref: ref, receivedAt: Timestamp(timeZone: TimeZone(identifier: "Asia/Shanghai")!).format(now),
        rawSHA256: raw.sha256, requester: Requester(phone: phone), description: text)
    let probe = deduplicated ? DedupProbe(intakeCase: intakeCase, at: now, policy: DedupPolicy()) : nil
    return (AdmissionItem(intakeCase, versioning: versioning, probe: probe, receivedAt: now), raw)
}

/// The events the forwarders delivered, in the order they did, and any claimed out of order.
actor DeliveryLog {
    private(set) var delivered: [(forwarder: String, event: OutboxEvent)] = []
    private(set) var violations: [String] = []
    private var deliveredIDs = Set<Int64>()

    /// Checks, when an event is claimed, that every earlier event of its case was delivered already.
    func claimed(_ event: OutboxEvent, earlier: [Int64]) {
        for id in earlier where !deliveredIDs.contains(id) {
            violations.append("\(event.idempotencyKey) (id \(event.id)) claimed before event \(id) of its case was delivered")
        }
    }

    func delivered(_ events: [OutboxEvent], by forwarder: String) {
        for event in events {
            delivered.append((forwarder, event))
            deliveredIDs.insert(event.id)
        }
    }
}
