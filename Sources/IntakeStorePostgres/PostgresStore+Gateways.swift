import Foundation
import PostgresNIO

/// A gateway seen on this database: its node name, when it started and when it last said so.
public struct GatewaySighting: Sendable, Hashable {
    public var node: String
    public var startedAt: Date
    public var lastSeenAt: Date
}

extension PostgresStore {
    /// Records that this gateway is alive now (`started` when it has just started).
    public func heartbeat(started: Bool = false) async throws {
        let node = configuration.node
        let now = clock()
        let query: PostgresQuery = """
            INSERT INTO gateway (node, started_at, last_seen_at) VALUES (\(node), \(now), \(now))
            ON CONFLICT (node) DO UPDATE SET
                last_seen_at = excluded.last_seen_at,
                started_at = CASE WHEN \(started) THEN excluded.started_at ELSE gateway.started_at END
            """
        try await client.query(query, logger: logger)
    }

    /// Every gateway that has run on this database, the most recently seen first.
    public func gateways() async throws -> [GatewaySighting] {
        var sightings: [GatewaySighting] = []
        let query: PostgresQuery = "SELECT node, started_at, last_seen_at FROM gateway ORDER BY last_seen_at DESC, node"
        for try await (node, started, seen) in try await client.query(query, logger: logger).decode((String, Date, Date).self) {
            sightings.append(GatewaySighting(node: node, startedAt: started, lastSeenAt: seen))
        }
        return sightings
    }
}
