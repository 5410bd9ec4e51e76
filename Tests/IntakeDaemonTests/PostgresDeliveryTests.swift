import Foundation
import IntakeTestSupport
import PostgresNIO
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary, configured with the `postgres` sink, filling a routing-queue table on a
/// real PostgreSQL; and `intake check` on postgres settings that cannot work.
@Suite(.serialized) struct PostgresDeliveryTests {
    func sinkYAML(_ server: PostgresServer, table: String) -> String {
        """
            type: postgres
            host: 127.0.0.1
            port: \(server.port)
            user: \(server.user)
            database: \(server.database)
            table: \(table)
            timeout_millis: 5000
        """
    }

    @Test func theDaemonCreatesTheTableAndEveryAcceptedEventLandsOnce() async throws {
        let server = try await PostgresServer.shared()
        let table = PostgresServer.newTableName()
        let port = DaemonProcess.freePort()
        let environment = try TestEnvironment(port: port, sinkYAML: sinkYAML(server, table: table))
        let daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        var accepted: [String] = []
        for index in 0..<20 {
            let answer = try await daemon.post(sampleRequest(ref: "pg-\(index)"), key: "pg-\(index)")
            #expect(answer.status == 202)
            let id = try #require((try answer.json()["cases"] as? [[String: Any]])?.first?["id"] as? String)
            accepted.append("\(id).created")
        }
        // The same request again: the same answer, nothing new in the queue.
        #expect(try await daemon.post(sampleRequest(ref: "pg-0"), key: "pg-0").status == 202)

        var keys: [String] = []
        let deadline = Date().addingTimeInterval(15)
        while keys.count < accepted.count, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            keys = (try? await server.withConnection { try await PostgresServer.keysInQueueOrder(table, on: $0) }) ?? []
        }
        #expect(keys == accepted, "every accepted event once, in the order accepted\n\(daemon.log())")

        let status = try runCLI(["status", "--json", "--config", environment.configPath])
        let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as! [String: Any]
        let sinks = try #require(json["sinks"] as? [[String: Any]])
        #expect(sinks.first?["sink"] as? String == "postgres")
        #expect(json["outbox_depth"] as? Int == 0)
        daemon.kill(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test func checkReportsPostgresSettingsThatCannotWork() throws {
        let environment = try TestEnvironment(sinkYAML: """
                type: postgres
                port: 70000
                table: Routing-Queue
                tls: maybe
                ca_file: /nonexistent/ca.pem
                password_file: /nonexistent/password
            """)
        let check = try runCLI(["check", "--config", environment.configPath])
        #expect(check.status != 0)
        for option in ["forwarding.sink.port", "forwarding.sink.table", "forwarding.sink.tls", "forwarding.sink.ca_file", "forwarding.sink.password_file"] {
            #expect(check.output.contains(option), "\(option) not reported in:\n\(check.output)")
        }
    }
}
