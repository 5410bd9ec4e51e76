import PostgresNIO

extension PostgresStore {
    /// Applies the migrations this database lacks, in one transaction under the migration
    /// lock: gateways starting together apply them once, the first to take the lock; the
    /// others wait for its commit and find nothing left to do. Returns the names it applied.
    @discardableResult
    public func migrate() async throws -> [String] {
        let node = configuration.node
        let logger = self.logger
        let applied = try await transaction { connection in
            for try await _ in try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.lockKey))", logger: logger) {}
            try await connection.query(PostgresQuery(unsafeSQL: PostgresMigrations.schemaMigrationsTable), logger: logger)
            var done = Set<String>()
            for try await (name,) in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode((String,).self) {
                done.insert(name)
            }
            var applied: [String] = []
            for migration in PostgresMigrations.all where !done.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (name, applied_by) VALUES (\(migration.name), \(node))", logger: logger)
                applied.append(migration.name)
            }
            return applied
        }
        if !applied.isEmpty {
            logger.notice("applied store migrations", metadata: [
                "intake.node": "\(node)", "intake.migrations": "\(applied.joined(separator: ", "))",
            ])
        }
        return applied
    }

    /// The migrations applied to this database, in the order they were, with the gateway that applied each.
    public func appliedMigrations() async throws -> [(name: String, appliedBy: String)] {
        var rows: [(name: String, appliedBy: String)] = []
        let query: PostgresQuery = "SELECT name, applied_by FROM schema_migrations ORDER BY applied_at, name"
        for try await (name, appliedBy) in try await client.query(query, logger: logger).decode((String, String).self) {
            rows.append((name, appliedBy))
        }
        return rows
    }
}
