import Foundation
import IntakeCore
import IntakeDaemon
import IntakeTestSupport
import Testing

@Suite struct AdminRouteTests {
    @Test func healthReadinessAndSchemaAnswer() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            #expect(try await daemon.get("/healthz").status == 200)
            #expect(try await daemon.get("/readyz").status == 200)
            let schema = try await daemon.get("/v1/schema")
            #expect(schema.status == 200)
            #expect(schema.body == (try CaseSchema.data()))
            #expect((try schema.json()["$defs"] as? [String: Any])?["case"] != nil)
        }
    }

    /// The counters are process-wide (channel-level tests in the same run count into them too),
    /// so the test compares each series before and after its own requests.
    @Test func metricsCountRequestsInPrometheusText() async throws {
        Telemetry.bootstrap(logLevel: .warning)
        let daemon = try await TestDaemon.start(TestEnvironment(dedup: true))
        try await stopping(daemon) {
            let series = [
                #"intake_inputs_received_total{channel="webhook",source="portal"}"#,
                #"intake_admitted_total{channel="webhook",source="portal",outcome="created"}"#,
                #"intake_refused_total{channel="webhook",source="-",reason="unauthorized"}"#,
                #"intake_admitted_total{channel="webhook",source="portal",outcome="duplicate"}"#,
                #"intake_admitted_total{channel="webhook",source="portal",outcome="repeat"}"#,
            ]
            let before = Self.values(of: series, in: try await daemon.get("/metrics").text)
            _ = try await daemon.postSigned(sampleRequest(ref: "metrics-1"))
            _ = try await daemon.post(sampleRequest(ref: "metrics-2"))
            _ = try await daemon.postSigned(sampleRequest(ref: "metrics-3"))  // the same demand again: a duplicate
            _ = try await daemon.postSigned(sampleRequest(ref: "metrics-3"))  // the same ref again: a repeat
            let metrics = try await daemon.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
            let after = Self.values(of: series, in: metrics.text)
            #expect(zip(series, zip(before, after)).map { "\($0) +\($1.1 - $1.0)" } == [
                "\(series[0]) +3", "\(series[1]) +1", "\(series[2]) +1", "\(series[3]) +1", "\(series[4]) +1",
            ])
            #expect(metrics.text.contains(#"intake_channel_last_success_seconds{channel="webhook",source="portal"}"#))
            #expect(metrics.text.contains("intake_outbox_depth"))
            #expect(metrics.text.contains("http_server_request_duration"))
        }
    }

    /// Each series' value in a Prometheus exposition (0 when it is not there yet).
    static func values(of series: [String], in text: String) -> [Int] {
        let lines = text.split(separator: "\n")
        return series.map { name in
            lines.first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }.map { Int($0) } ?? 0
        }
    }
}
