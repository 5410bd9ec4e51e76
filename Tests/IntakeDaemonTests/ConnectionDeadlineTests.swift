import Foundation
import IntakeTestSupport
import Testing

/// A client cannot hold a connection by sending slowly: a request must arrive in full within
/// `read_timeout_secs`, an idle keep-alive connection is closed after `idle_timeout_secs`.
@Suite(.serialized) struct ConnectionDeadlineTests {
    static func environment() throws -> TestEnvironment {
        try TestEnvironment(webhookYAML: "  read_timeout_secs: 1\n  idle_timeout_secs: 3")
    }

    /// 3 000 half-sent heads were all still open after 45 s; here 300 of them are all closed
    /// by the daemon shortly after the read timeout.
    @Test func halfSentRequestHeadsAreClosedAfterTheReadTimeout() async throws {
        let daemon = try await TestDaemon.start(Self.environment())
        try await stopping(daemon) {
            let connections = try (0..<300).map { _ in try RawConnection(port: daemon.port) }
            for connection in connections {
                try connection.send("POST /v1/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
            }
            let started = Date()
            var open = 0
            for connection in connections where !connection.readUntilClosed(timeoutSecs: max(0.1, 8 - Date().timeIntervalSince(started))).closed {
                open += 1
            }
            #expect(open == 0, "\(open) of 300 half-sent heads still open")
            // The listener still answers.
            #expect(try await daemon.get("/healthz").status == 200)
        }
    }

    /// A body trickled a byte at a time keeps arriving, but not in time: the connection is
    /// closed and nothing is taken.
    @Test func aBodyTrickledSlowerThanTheReadTimeoutIsCutOff() async throws {
        let daemon = try await TestDaemon.start(Self.environment())
        try await stopping(daemon) {
            let body = sampleRequest()
            let connection = try RawConnection(port: daemon.port)
            try connection.send(
                "POST /v1/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-Intake-Signature: \(signature(body))\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            var closed = false
            for byte in Data(body.utf8).prefix(40) {
                do {
                    try connection.send(Data([byte]))
                } catch {
                    closed = true
                    break
                }
                if connection.readUntilClosed(timeoutSecs: 0.15).closed {
                    closed = true
                    break
                }
            }
            #expect(closed, "a body trickled for 6 s was still being read with a 1 s read timeout")
            #expect(try daemon.database.caseCount() == 0)
        }
    }

    /// A request sent in pieces but in time is answered; the connection then stays open past
    /// the read timeout (it is idle, not reading) and is closed after the idle timeout.
    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        let daemon = try await TestDaemon.start(Self.environment())
        try await stopping(daemon) {
            let body = sampleRequest(ref: "keep-alive-1")
            let connection = try RawConnection(port: daemon.port)
            try connection.send(
                "POST /v1/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-Intake-Signature: \(signature(body))\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            try await Task.sleep(for: .milliseconds(300))
            try connection.send(body)
            let answer = try #require(connection.readResponse())
            #expect(answer.status == 202, "\(answer.body)")
            let early = connection.readUntilClosed(timeoutSecs: 1.8)
            #expect(!early.closed, "closed at the read timeout although the connection was idle, not reading")
            let late = connection.readUntilClosed(timeoutSecs: 6)
            #expect(late.closed, "an idle keep-alive connection stayed open past idle_timeout_secs")
        }
    }

    /// Beyond `max_connections` the listener stops accepting: a new client waits (in the
    /// kernel's backlog) until a held connection is closed, here by the read timeout.
    @Test func beyondMaxConnectionsANewClientWaitsForAFreeOne() async throws {
        let daemon = try await TestDaemon.start(try TestEnvironment(webhookYAML: "  read_timeout_secs: 2\n  max_connections: 3"))
        try await stopping(daemon) {
            let held = try (0..<3).map { _ in try RawConnection(port: daemon.port) }
            for connection in held { try connection.send("GET /healthz HTTP/1.1\r\nHost: 1") }
            try await Task.sleep(for: .milliseconds(200))
            let waiting = try RawConnection(port: daemon.port)
            try waiting.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(waiting.readResponse(timeoutSecs: 1) == nil, "answered although three connections were open")
            let answer = waiting.readResponse(timeoutSecs: 8)
            #expect(answer?.status == 200, "never answered after the held connections timed out")
            #expect(held.allSatisfy { $0.readUntilClosed(timeoutSecs: 1).closed })
        }
    }
}
