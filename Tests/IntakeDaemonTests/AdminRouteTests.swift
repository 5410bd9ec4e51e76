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

    @Test func metricsCountRequestsInPrometheusText() async throws {
        Telemetry.bootstrap(logLevel: .warning)
        let daemon = try await TestDaemon.start(TestEnvironment(dedup: true))
        try await stopping(daemon) {
            _ = try await daemon.postSigned(sampleRequest(ref: "metrics-1"))
            _ = try await daemon.post(sampleRequest(ref: "metrics-2"))
            _ = try await daemon.postSigned(sampleRequest(ref: "metrics-3"))  // the same demand again: a duplicate
            _ = try await daemon.postSigned(sampleRequest(ref: "metrics-3"))  // the same ref again: a repeat
            let metrics = try await daemon.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains(#"intake_inputs_received_total{channel="webhook",source="portal"} 3"#))
            #expect(metrics.text.contains(#"intake_admitted_total{channel="webhook",source="portal",outcome="created"} 1"#))
            #expect(metrics.text.contains(#"intake_refused_total{channel="webhook",source="-",reason="unauthorized"} 1"#))
            #expect(metrics.text.contains(#"intake_admitted_total{channel="webhook",source="portal",outcome="duplicate"} 1"#))
            #expect(metrics.text.contains(#"intake_admitted_total{channel="webhook",source="portal",outcome="repeat"} 1"#))
            #expect(metrics.text.contains(#"intake_channel_last_success_seconds{channel="webhook",source="portal"}"#))
            #expect(metrics.text.contains("intake_outbox_depth"))
            #expect(metrics.text.contains("http_server_request_duration"))
        }
    }
}
