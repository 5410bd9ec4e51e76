import Foundation
import IntakeChannels
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Logging
import Testing

/// What a hotline operator gets back for a file: `NAME.errors.csv` in the zone's language and
/// `NAME.result.csv` with every row's outcome and case.
@Suite struct HotlineReportTests {
    static func ingestor(_ store: TemporaryStore, locale: OperatorLocale) throws -> HotlineIngestor {
        HotlineIngestor(
            settings: .init(source: "hotline", batchRows: 7, locale: locale),
            mapping: try HotlineMapping.load(path: repositoryRoot.appendingPathComponent("channels/hotline.yaml").path),
            normalizer: testNormalizer, database: store.database, blobs: store.blobs, logger: Logger(label: "test"))
    }

    /// The report read back as records (BOM checked and dropped), header first.
    static func records(_ url: URL) throws -> [[String]] {
        let bytes = try Data(contentsOf: url)
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]), "a BOM, so that Excel reads UTF-8")
        let reader = try CSVReader(path: url.path)
        defer { reader.close() }
        var records: [[String]] = []
        while let record = try reader.next() { records.append(record.fields) }
        return records
    }

    @Test func badRowsGetChineseReasonsAndTheResultListsEveryRowWithItsCase() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let report = store.directory.appendingPathComponent("bad_rows.csv.errors.csv")
        let result = store.directory.appendingPathComponent("bad_rows.csv.result.csv")
        let summary = try await Self.ingestor(store, locale: .zhCN).ingest(
            file: hotlineFixture("bad_rows.csv"), name: "bad_rows.csv", report: report, result: result)
        #expect(summary.result == result)

        let errors = try Self.records(report)
        #expect(errors.first == ["行号", "列", "原因", "原始行"])
        #expect(errors.count == 4)
        #expect(errors[1][0] == "12" && errors[1][1] == "2 来电时间")
        #expect(errors[1][2] == "来电时间\"2026-13-45 25:00\"无法识别，可用格式：2026/2/26 9:13、2026/2/26 9:13:05、2026/2/26、"
            + "2026-02-26 09:13:05、2026-02-26 09:13、2026-02-26、2026年2月26日 9时13分、2026年2月26日 9时13分5秒、2026年2月26日 9:13、"
            + "2026年2月26日、46079.384", "each format of channels/hotline.yaml as an example: \(errors[1][2])")
        #expect(errors[2][0] == "27" && errors[2][2] == "诉求内容为空（必填）")
        #expect(errors[3][0] == "42" && errors[3][2] == "工单编号为空（必填）")
        #expect(errors[3][3].contains("天津某某科技有限公司40"), "the original row follows")

        let rows = try Self.records(result)
        #expect(rows.first == ["行号", "工单编号", "处理结果", "案件编号", "案件号", "原案件"])
        let lines = Array(rows.dropFirst())
        #expect(lines.count == 50, "every row, good and bad")
        #expect(lines.map { Int($0[0]) ?? 0 } == lines.map { Int($0[0]) ?? 0 }.sorted(), "in the file's order")
        let rejected = lines.filter { $0[2] == "拒收" }
        #expect(rejected.map(\.[0]) == ["12", "27", "42"])
        #expect(rejected.allSatisfy { $0[3].isEmpty && $0[4].isEmpty })
        #expect(rejected.first?[1] == "BR000010", "a rejected row keeps its work-order number")
        let created = lines.filter { $0[2] == "新建" }
        #expect(created.count == 47)
        // Each case id is the case the row's work order became, with its token.
        let events = try await store.dueEvents()
        let caseByRef = Dictionary(uniqueKeysWithValues: events.map { ($0.case.ref, $0.case.id) })
        for line in created {
            #expect(caseByRef[line[1]] == line[3], "row \(line[0])")
            #expect(line[4] == String(line[3].filter(\.isHexDigit).suffix(12)) && line[4].count == 12)
        }

        // The same export again: every good row is already taken (已受理), with its case.
        let again = store.directory.appendingPathComponent("again.result.csv")
        _ = try await Self.ingestor(store, locale: .zhCN).ingest(
            file: hotlineFixture("bad_rows.csv"), name: "bad_rows-2.csv", report: store.directory.appendingPathComponent("again.errors.csv"),
            result: again)
        let repeated = Array(try Self.records(again).dropFirst())
        #expect(repeated.filter { $0[2] == "已受理" }.map(\.[3]) == created.map(\.[3]))
        #expect(repeated.filter { $0[2] == "拒收" }.count == 3)
    }

    @Test func theEnglishLocaleKeepsTheColumnsAndWordsTheReasonsInEnglish() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let report = store.directory.appendingPathComponent("bad_rows.csv.errors.csv")
        let result = store.directory.appendingPathComponent("bad_rows.csv.result.csv")
        _ = try await Self.ingestor(store, locale: .en).ingest(
            file: hotlineFixture("bad_rows.csv"), name: "bad_rows.csv", report: report, result: result)
        let errors = try Self.records(report)
        #expect(errors.first == ["line", "column", "reason", "row"])
        #expect(errors[2][2] == "empty, but description is required")
        let rows = try Self.records(result)
        #expect(rows.first == ["line", "ref", "outcome", "case_id", "case_token", "duplicate_of"])
        #expect(rows.dropFirst().filter { $0[2] == "created" }.count == 47)
        // The store's quarantine keeps English reasons whatever the locale.
        #expect(try store.database.quarantined().first?.reason.contains("is not a valid date") == true)
    }

    @Test func aFileWithoutAHeaderIsQuarantinedWithAChineseReason() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let summary = try await Self.ingestor(store, locale: .zhCN).ingest(
            file: hotlineFixture("unknown_header.csv"), name: "unknown_header.csv", report: store.directory.appendingPathComponent("r.csv"))
        let reason = try #require(summary.quarantinedReason)
        #expect(reason.hasPrefix("第 1 行：表头缺少必填列") || reason.hasPrefix("第 1 行：第一行不是表头"), "\(reason)")
        #expect(try store.database.quarantined().first?.reason.hasPrefix("line 1: ") == true, "the store keeps it in English")
    }
}
