import Foundation
import IntakeDaemon
import IntakeTestSupport
import Testing

@Suite struct TraceTests {
    @Test func traceShowsEveryStepFromReceiptToDelivery() async throws {
        let daemon = try await TestDaemon.start()
        try await stopping(daemon) {
            let answer = try await daemon.postSigned(sampleRequest(ref: "trace-1"), key: "trace-key")
            let id = try #require((try answer.json()["cases"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await daemon.environment.waitForEventFiles(count: 1)
            try await Task.sleep(for: .milliseconds(200))

            let loaded = try ConfigurationLoader.load(path: daemon.environment.configPath)
            let byID = try TraceReport(configuration: loaded, id: id)
            #expect(byID.entries.map(\.step) == ["received", "normalised", "stored", "queued", "delivered"])
            let byRef = try TraceReport(configuration: loaded, id: "trace-1")
            #expect(byRef.entries == byID.entries)

            let table = byID.table()
            #expect(table.hasPrefix("TIME"))
            #expect(table.contains("+08:00  delivered"))
            let json = try JSONSerialization.jsonObject(with: Data(byID.json().utf8)) as! [[String: Any]]
            #expect(json.map { $0["step"] as? String } == ["received", "normalised", "stored", "queued", "delivered"])
            #expect((json[1]["detail"] as? [String: Any])?["requester.phone"] as? String == "138 1234 5678 → +8613812345678")
            try expectEventsMatchSchema(in: daemon.environment)
        }
    }
}
