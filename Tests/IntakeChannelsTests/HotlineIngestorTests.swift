import Foundation
import IntakeChannels
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Logging
import Testing

/// The hotline channel's work without the spool service: `HotlineIngestor.ingest` on a
/// committed export, against a temporary store.
@Suite struct HotlineIngestorTests {
    static func ingestor(_ store: TemporaryStore, batchRows: Int = 2000) throws -> HotlineIngestor {
        HotlineIngestor(
            settings: .init(source: "hotline", batchRows: batchRows),
            mapping: try HotlineMapping.load(path: repositoryRoot.appendingPathComponent("channels/hotline.yaml").path),
            normalizer: testNormalizer, database: store.database, blobs: store.blobs, logger: Logger(label: "test"))
    }

    @Test(arguments: [1, 2000])
    func aFileWithBadRowsBecomesItsGoodRowsAndAReport(batchRows: Int) async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let report = store.directory.appendingPathComponent("bad_rows.csv.errors.csv")
        let summary = try await Self.ingestor(store, batchRows: batchRows).ingest(
            file: hotlineFixture("bad_rows.csv"), name: "bad_rows.csv", report: report)
        #expect(summary.rows == 50)
        #expect(summary.created == 47)
        #expect(summary.duplicates == 0)
        #expect(summary.rejected == 3)
        #expect(summary.report == report)
        #expect(summary.spoolOutcome.changed)
        #expect(FileManager.default.fileExists(atPath: report.path))
        #expect(try store.database.caseCount() == 47)
        #expect(try store.database.quarantined().map(\.line) == [12, 27, 42])
        let events = try await store.dueEvents()
        #expect(events.count == 47)
        #expect(Set(events.map(\.case.ref)).count == 47)
        #expect(events.allSatisfy { $0.event == .created && $0.case.channel == .hotline && $0.case.requester.phone?.hasPrefix("+86") == true })
        #expect(try store.database.traceEntries(for: "bad_rows.csv").contains { $0.step == "file_ingested" })
    }

    @Test func theSameFileAgainIsRepeatsAndChangesNothing() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let ingestor = try Self.ingestor(store)
        let report = store.directory.appendingPathComponent("report.csv")
        _ = try await ingestor.ingest(file: hotlineFixture("utf8_bom.csv"), name: "utf8_bom.csv", report: report)
        let again = try await ingestor.ingest(file: hotlineFixture("utf8_bom.csv"), name: "utf8_bom-2.csv", report: report)
        #expect(again.rows == 10)
        #expect(again.created == 0)
        #expect(again.repeats == 10)
        #expect(again.spoolOutcome.changed == false)
        #expect(try store.database.caseCount() == 10)
        #expect(try await store.dueEvents().count == 10)
    }

    @Test func aStopBetweenBatchesLeavesWholeBatchesAndTheRestIsTakenNextTime() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let ingestor = try Self.ingestor(store, batchRows: 4)
        let report = store.directory.appendingPathComponent("report.csv")
        await #expect(throws: SpoolInterrupted.self) {
            _ = try await ingestor.ingest(file: hotlineFixture("gb18030_excel.csv"), name: "gb.csv", report: report, shouldStop: { true })
        }
        let partly = try store.database.caseCount()
        #expect(partly % 4 == 0 && partly < 20, "only whole batches were committed (\(partly))")
        let summary = try await ingestor.ingest(file: hotlineFixture("gb18030_excel.csv"), name: "gb.csv", report: report)
        #expect(summary.repeats == partly, "the committed rows are repeats")
        #expect(summary.created == 20 - partly)
        #expect(try store.database.caseCount() == 20)
    }
}
