import Foundation
import IntakeForwarding
import IntakeStore
import IntakeTestSupport
import Testing

@Suite struct FileSinkTests {
    static func events(_ count: Int, firstID: Int64 = 41) -> [OutboxEvent] {
        (0..<count).map { index in
            OutboxEvent(
                id: firstID + Int64(index), caseID: "case-\(index)", event: "case.created", idempotencyKey: "case-\(index).created",
                payload: Data(#"{"event":"case.created","n":\#(index)}"#.utf8), attempts: 0, queuedAt: Date())
        }
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("intake-file-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func theBatchedLayoutWritesARoundAsOneJSONLinesFileNamedInDeliveryOrder() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sink = try FileSink(directory: directory, layout: .batched)
        let first = await sink.deliver(Self.events(3))
        let second = await sink.deliver(Self.events(2, firstID: 44))
        #expect(first.allSatisfy { if case .delivered = $0 { true } else { false } })
        #expect(second.count == 2)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".jsonl") }.sorted()
        #expect(names.count == 2)
        #expect(names.first?.hasSuffix("-000000000041.jsonl") == true)
        #expect(names.last?.hasSuffix("-000000000044.jsonl") == true)
        let lines = try String(contentsOf: directory.appendingPathComponent(names[0]), encoding: .utf8).split(separator: "\n")
        #expect(lines == [#"{"event":"case.created","n":0}"#, #"{"event":"case.created","n":1}"#, #"{"event":"case.created","n":2}"#])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(".tmp").path).isEmpty)
    }

    @Test func thePerEventLayoutWritesOneFileNamedByItsKey() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sink = try FileSink(directory: directory, layout: .perEvent)
        _ = await sink.deliver(Self.events(2))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(names == ["case-0.created.json", "case-1.created.json"])
        #expect(try Data(contentsOf: directory.appendingPathComponent(names[1])) == Self.events(2)[1].payload)
    }
}
