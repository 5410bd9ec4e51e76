import Foundation
import IntakeForwarding
import IntakeStore
import IntakeTestSupport
import PostgresNIO
import Testing

/// The `postgres` sink against a real PostgreSQL (see `Support/PostgresServer.swift`): one
/// server for the suite, a table of its own for each test; the test that stops the server
/// has a server of its own.
@Suite struct PostgresSinkTests {
    @Test func aBatchLandsOnce() async throws {
        let server = try await PostgresServer.shared()
        let table = PostgresServer.newTableName()
        let events = Self.events(50)
        let outcomes = try await Self.withSink(server.sinkConfiguration(table: table)) { await $0.deliver(events) }
        #expect(outcomes.count == 50)
        #expect(outcomes.allSatisfy { $0.isDelivered }, "\(outcomes)")
        #expect(outcomes.allSatisfy { $0.detail?.hasPrefix("\(table) id ") == true }, "\(outcomes)")
        let (rows, matching, order) = try await server.withConnection { connection in
            (try await Self.rowCount(table, on: connection), try await Self.rowsMatching(events, table, on: connection),
             try await PostgresServer.keysInQueueOrder(table, on: connection))
        }
        #expect(rows == 50)
        #expect(matching == 50, "every row holds its event, the payload as jsonb")
        #expect(order == events.map(\.idempotencyKey), "ids follow the order of the round")
    }

    @Test func aReplayedBatchAddsNothing() async throws {
        let server = try await PostgresServer.shared()
        let table = PostgresServer.newTableName()
        let events = Self.events(50)
        let (first, replay) = try await Self.withSink(server.sinkConfiguration(table: table)) { sink in
            (await sink.deliver(events), await sink.deliver(events))
        }
        #expect(first.allSatisfy { $0.isDelivered })
        #expect(replay == Array(repeating: .delivered(detail: "already in \(table)"), count: 50))
        let (rows, matching) = try await server.withConnection { connection in
            (try await Self.rowCount(table, on: connection), try await Self.rowsMatching(events, table, on: connection))
        }
        #expect(rows == 50)
        #expect(matching == 50)
    }

    @Test func twoConsumersUsingTheDocumentedQueryNeverTakeTheSameRow() async throws {
        let server = try await PostgresServer.shared()
        let table = PostgresServer.newTableName()
        let outcomes = try await Self.withSink(server.sinkConfiguration(table: table)) { await $0.deliver(Self.events(200)) }
        #expect(outcomes.allSatisfy { $0.isDelivered })

        let query = try Self.documentedConsumerQuery(table: table)
        async let takenByA = Self.consume(query, as: "consumer-a", on: server)
        async let takenByB = Self.consume(query, as: "consumer-b", on: server)
        let (a, b) = try await (takenByA, takenByB)

        let all = try await server.withConnection { try await Self.ids(table, on: $0) }
        #expect(all.count == 200)
        #expect(Set(a).union(b) == Set(all))
        #expect(Set(a).isDisjoint(with: b))
        #expect(a.count + b.count == 200, "a row was returned twice to the same consumer")
        let (waiting, recordedForA) = try await server.withConnection { connection in
            (try await Self.count("SELECT count(*) FROM \(table) WHERE taken_at IS NULL", on: connection),
             try await Self.count("SELECT count(*) FROM \(table) WHERE taken_by = 'consumer-a'", on: connection))
        }
        #expect(waiting == 0)
        #expect(recordedForA == a.count)
    }

    @Test func theServerGoingAwayYieldsRetryAndDeliveryWorksAfterItComesBack() async throws {
        let server = try await PostgresServer.make()
        do {
            let table = PostgresServer.newTableName()
            let before = Self.events(10)
            let during = Self.events(10)
            let configuration = server.sinkConfiguration(table: table, roundTimeoutSecs: 3)
            let (first, whileDown, afterwards) = try await Self.withSink(configuration) { sink in
                let first = await sink.deliver(before)
                try await server.stop()
                let whileDown = await sink.deliver(during)
                try await server.start()
                // The pool reconnects with a backoff of its own, as short as 0.1 s, longer the longer the
                // server was away: give it the rounds the forwarder would.
                var afterwards = await sink.deliver(during)
                for _ in 0..<4 where !afterwards.allSatisfy({ $0.isDelivered }) {
                    afterwards = await sink.deliver(during)
                }
                return (first, whileDown, afterwards)
            }
            #expect(first.allSatisfy { $0.isDelivered }, "\(first)")
            #expect(whileDown.count == 10)
            for outcome in whileDown {
                guard case .retry(let reason, _) = outcome else { Issue.record("expected retry, got \(outcome)"); continue }
                #expect(reason.contains("127.0.0.1:\(server.port)") && reason.contains("no connection"), "\(reason)")
            }
            #expect(afterwards.allSatisfy { $0.isDelivered }, "\(afterwards)")
            let (rows, matching) = try await server.withConnection { connection in
                (try await Self.rowCount(table, on: connection), try await Self.rowsMatching(before + during, table, on: connection))
            }
            #expect(rows == 20)
            #expect(matching == 20)
        } catch {
            await server.remove()
            throw error
        }
        await server.remove()
    }

    @Test(arguments: [true, false])
    func aBadPayloadInABatchRejectsOnlyThatEvent(batch: Bool) async throws {
        let server = try await PostgresServer.shared()
        let table = PostgresServer.newTableName()
        var events = Self.events(5)
        let bad = events[2]
        events[2] = OutboxEvent(
            id: bad.id, caseID: bad.caseID, event: bad.event, idempotencyKey: bad.idempotencyKey,
            payload: Data(#"{"event": "case.created", "case": {"subject": 厂房}"#.utf8), attempts: 0, queuedAt: bad.queuedAt)
        let outcomes = try await Self.withSink(server.sinkConfiguration(table: table, batch: batch)) { await $0.deliver(events) }
        #expect(outcomes.count == 5)
        for (index, outcome) in outcomes.enumerated() where index != 2 {
            #expect(outcome.isDelivered, "event \(index): \(outcome)")
        }
        guard case .reject(let reason) = outcomes[2] else {
            Issue.record("expected reject, got \(outcomes[2])")
            return
        }
        #expect(reason.contains("SQLSTATE 22P02"), "\(reason)")
        #expect(reason.contains("json"), "\(reason)")
        let good = events.enumerated().filter { $0.offset != 2 }.map(\.element)
        let (rows, matching) = try await server.withConnection { connection in
            (try await Self.rowCount(table, on: connection), try await Self.rowsMatching(good, table, on: connection))
        }
        #expect(rows == 4)
        #expect(matching == 4)
    }

    @Test func aTableNameThatIsNotAPlainIdentifierIsRefused() {
        for name in ["routing_queue; DROP TABLE cases", "Routing_Queue", "public.routing_queue", "1queue", ""] {
            #expect(throws: PostgresSinkConfigurationError.invalidTableName(name)) {
                try PostgresSink(configuration: PostgresSinkConfiguration(table: name), logger: quietLogger)
            }
        }
    }
}

// MARK: - Helpers

extension PostgresSinkTests {
    /// Events shaped like the forwarder's: an envelope around an `intake.case.v1` case.
    static func events(_ count: Int) -> [OutboxEvent] {
        (0..<count).map { index in
            let caseID = UUID().uuidString.lowercased()
            let payload = """
                {"case":{"channel":"webhook","description":"我司厂房用地规划许可已提交两个月,请问目前进度如何? (\(index))",\
                "enterprise":{"name":"天津某某科技有限公司","uscc":"91120116MA07K3RD93","uscc_valid":true},"id":"\(caseID)",\
                "priority":"normal","received_at":"2026-11-26T23:23:35.278+08:00","schema":"intake.case.v1","source":"portal",\
                "subject":"厂房用地规划许可进度咨询"},"emitted_at":"2026-11-26T23:23:35.278+08:00","event":"case.created",\
                "idempotency_key":"\(caseID).created"}
                """
            return OutboxEvent(
                id: Int64(index + 1), caseID: caseID, event: "case.created", idempotencyKey: "\(caseID).created",
                payload: Data(payload.utf8), attempts: 0, queuedAt: Date())
        }
    }

    /// Runs a sink (its `run()` in the background, as the forwarder does) for `body`.
    static func withSink<Result: Sendable>(
        _ configuration: PostgresSinkConfiguration, _ body: (PostgresSink) async throws -> Result
    ) async throws -> Result {
        let sink = try PostgresSink(configuration: configuration, logger: quietLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sink.run() }
            defer { group.cancelAll() }
            return try await body(sink)
        }
    }

    /// The consumer query as `deploy/routing_queue.sql` documents it, for `table`.
    static func documentedConsumerQuery(table: String) throws -> String {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/routing_queue.sql")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("--   WITH next AS (") }),
              let end = lines[start...].firstIndex(where: { $0.hasSuffix("RETURNING q.*;") })
        else { throw PostgresServerFailure("no consumer query in \(file.path)") }
        let query = lines[start...end].map { $0.dropFirst(2).trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
        return String(query.dropLast()).replacingOccurrences(of: "routing_queue", with: table)
    }

    /// Takes rows with `query` on a connection of its own until none is left; the ids taken.
    static func consume(_ query: String, as consumer: String, on server: PostgresServer) async throws -> [Int64] {
        try await server.withConnection { connection in
            var taken: [Int64] = []
            while true {
                var binds = PostgresBindings()
                binds.append(consumer)
                let before = taken.count
                for try await row in try await connection.query(PostgresQuery(unsafeSQL: query, binds: binds), logger: quietLogger) {
                    taken.append(try row.makeRandomAccess()["id"].decode(Int64.self))
                }
                if taken.count == before { return taken }
            }
        }
    }

    static func rowCount(_ table: String, on connection: PostgresConnection) async throws -> Int {
        try await count("SELECT count(*) FROM \(table)", on: connection)
    }

    /// How many rows hold one of `events` exactly: key, event, case id, and the payload as jsonb.
    static func rowsMatching(_ events: [OutboxEvent], _ table: String, on connection: PostgresConnection) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(events.map(\.idempotencyKey))
        binds.append(events.map(\.event))
        binds.append(events.map(\.caseID))
        binds.append(events.map { String(decoding: $0.payload, as: UTF8.self) })
        return try await count(PostgresQuery(unsafeSQL: """
            SELECT count(*) FROM \(table) q
            JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS e(key, event, case_id, payload)
              ON q.idempotency_key = e.key AND q.event = e.event AND q.case_id = e.case_id AND q.payload = e.payload::jsonb
            """, binds: binds), on: connection)
    }

    static func ids(_ table: String, on connection: PostgresConnection) async throws -> [Int64] {
        var ids: [Int64] = []
        for try await (id,) in try await connection.query(PostgresQuery(unsafeSQL: "SELECT id FROM \(table)"), logger: quietLogger).decode((Int64,).self) {
            ids.append(id)
        }
        return ids
    }

    static func count(_ query: String, on connection: PostgresConnection) async throws -> Int {
        try await count(PostgresQuery(unsafeSQL: query), on: connection)
    }

    static func count(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> Int {
        for try await (count,) in try await connection.query(query, logger: quietLogger).decode((Int,).self) {
            return count
        }
        return 0
    }
}

fileprivate extension DeliveryOutcome {
    var isDelivered: Bool {
        if case .delivered = self { true } else { false }
    }

    var detail: String? {
        if case .delivered(let detail) = self { detail } else { nil }
    }
}
