import Foundation
import IntakeChannels
import IntakeCore
import Testing

/// The `webhook:` section decodes and checks itself beside the channel, with one default per
/// option (`intake check` adds the file's line and column).
@Suite struct WebhookConfigurationTests {
    func decode(_ json: String) throws -> WebhookConfiguration {
        try JSONDecoder().decode(WebhookConfiguration.self, from: Data(json.utf8))
    }

    func problems(_ configuration: WebhookConfiguration) -> [String] {
        var found: [String] = []
        configuration.validate { path, message in
            let dotted = path.map { element in
                switch element {
                case .key(let key): "." + key
                case .index(let index): "[\(index)]"
                }
            }.joined()
            found.append("\(dotted): \(message)")
        }
        return found
    }

    @Test func anEmptySectionIsEveryDefault() throws {
        let decoded = try decode("{}")
        #expect(decoded == WebhookConfiguration())
        #expect(decoded.listenPort == 8080 && decoded.readTimeoutSecs == 30 && decoded.maxConnections == 4096)
    }

    @Test func anUnknownOptionIsRefusedNamingTheKnownOnes() {
        #expect(throws: DecodingError.self) { try decode(#"{"max_body_byte": 10}"#) }
    }

    @Test func valuesThatDecodeButCannotWorkAreReportedAtTheirPath() throws {
        let configuration = try decode(#"""
            {"max_body_bytes": 0, "listen_port": 70000, "read_timeout_secs": -1,
             "sources": [{"name": "portal", "auth": "hmac", "secret_file": "a"},
                         {"name": "portal", "auth": "basic", "secret_file": "b"}]}
            """#)
        #expect(problems(configuration) == [
            ".max_body_bytes: must be greater than 0",
            ".read_timeout_secs: must be greater than 0",
            ".listen_port: expected a port from 0 to 65535",
            ".sources[1].name: \"portal\" is used twice",
            ".sources[1].auth: expected hmac or bearer, found \"basic\"",
        ])
    }

    /// The visit channel has its own `retry_after_secs` (it borrowed the webhook's).
    @Test func theVisitSectionDecodesAndChecksItself() throws {
        let visits = try JSONDecoder().decode(VisitConfiguration.self, from: Data(#"{"retry_after_secs": 9, "settle_secs": -1}"#.utf8))
        #expect(visits.retryAfterSecs == 9)
        var found: [String] = []
        visits.validate { path, message in found.append("\(path): \(message)") }
        #expect(found == [#"[IntakeCore.ConfigPathElement.key("settle_secs")]: must not be negative (0 turns the settle rule off)"#])
        #expect(try JSONDecoder().decode(VisitConfiguration.self, from: Data("{}".utf8)) == VisitConfiguration())
    }

    @Test func anEnabledWebhookNeedsASource() throws {
        #expect(problems(try decode("{}")) == [".sources: the enabled webhook needs at least one source"])
        #expect(problems(try decode(#"{"enabled": false}"#)).isEmpty)
    }
}
