import Foundation
import IntakeForwarding
import IntakeStore
import Testing

@Suite struct FileSinkTests {
    func event(_ key: String, payload: String) -> OutboxEvent {
        OutboxEvent(id: 1, caseID: "c", event: "case.created", idempotencyKey: key, payload: Data(payload.utf8), attempts: 0, queuedAt: Date())
    }

    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("intake-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func writesOneFilePerEventNamedByItsKey() async throws {
        let dir = try directory()
        let sink = try FileSink(directory: dir)
        let outcomes = await sink.deliver([event("a.created", payload: #"{"n":1}"#), event("b.created", payload: #"{"n":2}"#)])
        #expect(outcomes == [.delivered(detail: "a.created.json"), .delivered(detail: "b.created.json")])
        #expect(try String(contentsOf: dir.appendingPathComponent("a.created.json"), encoding: .utf8) == #"{"n":1}"#)
        let visible = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(visible == ["a.created.json", "b.created.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".tmp").path).isEmpty)
    }

    @Test func aRepeatDeliveryRewritesTheSameFile() async throws {
        let dir = try directory()
        let sink = try FileSink(directory: dir)
        _ = await sink.deliver([event("a.created", payload: "1")])
        _ = await sink.deliver([event("a.created", payload: "1")])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") } == ["a.created.json"])
    }

    @Test func anUnwritableSpoolAsksForARetry() async throws {
        let dir = try directory()
        let sink = try FileSink(directory: dir)
        try FileManager.default.removeItem(at: dir)
        let outcomes = await sink.deliver([event("a.created", payload: "1")])
        guard case .retry = outcomes.first else { Issue.record("expected retry, got \(outcomes)"); return }
    }
}
