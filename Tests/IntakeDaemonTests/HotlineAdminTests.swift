import Foundation
import IntakeStore
import IntakeTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `intake ingest`, `intake quarantine`, and a SIGKILL in the middle of a large file — with
/// the real binary.
@Suite(.serialized) struct HotlineAdminTests {
    @Test func ingestTakesAFileInPlaceAndSummarisesIt() throws {
        let spool = try HotlineSpool()
        let input = spool.environment.directory.appendingPathComponent("bad_rows.csv")
        try FileManager.default.copyItem(at: hotlineFixture("bad_rows.csv"), to: input)
        let first = try runCLI(["ingest", "--channel", "hotline", input.path, "--config", spool.environment.configPath])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("rows read     50"), "\(first.output)")
        #expect(first.output.contains("47 created"))
        #expect(first.output.contains("rejected      3"))
        #expect(FileManager.default.fileExists(atPath: input.path + ".errors.csv"))
        let again = try runCLI(["ingest", "--channel", "hotline", input.path, "--config", spool.environment.configPath])
        #expect(again.output.contains("0 created, 0 duplicates, 0 updated"), "\(again.output)")
        #expect(again.output.contains("repeats       47 already taken"))
        let database = try IntakeDatabase(path: spool.environment.storePath)
        defer { database.close() }
        #expect(try database.caseCount() == 47)
        #expect(try database.quarantined().count == 3, "the same rows are not quarantined twice")
        let unknown = try runCLI(["ingest", "--channel", "nosuch", input.path, "--config", spool.environment.configPath])
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("no hotline source \"nosuch\""))
    }

    @Test func aRowRefusedByTheMappingIsTakenAfterTheMappingIsFixed() throws {
        let mapping = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-\(UUID().uuidString).yaml")
        let shipped = try String(contentsOf: repositoryRoot.appendingPathComponent("channels/hotline.yaml"), encoding: .utf8)
        try shipped.write(to: mapping, atomically: true, encoding: .utf8)
        let spool = try HotlineSpool(mapping: mapping.path)
        let input = spool.environment.directory.appendingPathComponent("level.csv")
        try """
            工单编号,来电时间,诉求内容,紧急程度
            LV000001,2026-02-26 09:13:05,路灯不亮,一般
            LV000002,2026-02-26 09:14:05,污水外溢,较急
            """.write(to: input, atomically: true, encoding: .utf8)
        let ingest = try runCLI(["ingest", "--channel", "hotline", input.path, "--config", spool.environment.configPath])
        #expect(ingest.output.contains("rejected      1"), "\(ingest.output)")

        let list = try runCLI(["quarantine", "list", "--config", spool.environment.configPath])
        #expect(list.output.contains("level.csv"))
        #expect(list.output.contains("较急"), "the reason quotes the value: \(list.output)")
        let database = try IntakeDatabase(path: spool.environment.storePath)
        defer { database.close() }
        let entry = try #require(try database.quarantined().first)
        let show = try runCLI(["quarantine", "show", String(entry.id!), "--config", spool.environment.configPath])
        #expect(show.output.contains("紧急程度"))
        #expect(show.output.contains("line 3"))

        let refused = try runCLI(["quarantine", "reprocess", String(entry.id!), "--config", spool.environment.configPath])
        #expect(refused.status != 0)
        #expect(refused.output.contains("still refused"))

        // The operator adds 较急 to the value map; the row passes now.
        let fixed = shipped.replacingOccurrences(of: "紧急: urgent", with: "紧急: urgent, 较急: urgent")
        #expect(fixed != shipped, "the shipped mapping maps 紧急 to urgent")
        try fixed.write(to: mapping, atomically: true, encoding: .utf8)
        let reprocessed = try runCLI(
            ["quarantine", "reprocess", String(entry.id!), "--config", spool.environment.configPath], environment: ["SUDO_USER": "li.operator"])
        #expect(reprocessed.status == 0, "\(reprocessed.output)")
        #expect(reprocessed.output.contains("case "))
        #expect(try database.caseCount() == 2)
        #expect(try database.quarantined().isEmpty)
        let trace = try runCLI(["trace", "LV000002", "--config", spool.environment.configPath])
        #expect(trace.output.contains("reprocessed"), "\(trace.output)")
        #expect(trace.output.contains("by li.operator"))
    }

    @Test func aSIGKILLInTheMiddleOfALargeFileLosesAndDoublesNothing() async throws {
        let port = DaemonProcess.freePort()
        let spool = try HotlineSpool(batchRows: 200, port: port)
        let rows = 20_000
        var text = "工单编号,来电时间,来电号码,企业名称,诉求内容\n"
        for index in 1...rows {
            text += "KL\(String(format: "%06d", index)),2026-02-26 09:13:05,13812345678,天津某某科技有限公司,第\(index)号诉求：厂房用地规划许可进度咨询\n"
        }
        let staged = spool.environment.directory.appendingPathComponent("large.csv.part")
        try text.write(to: staged, atomically: true, encoding: .utf8)

        var daemon = try DaemonProcess(environment: spool.environment, port: port)
        try await daemon.waitUntilHealthy()
        while !FileManager.default.fileExists(atPath: spool.directory.appendingPathComponent(".work").path) {
            try await Task.sleep(for: .milliseconds(20))
        }
        try FileManager.default.moveItem(at: staged, to: spool.directory.appendingPathComponent("large.csv"))
        let database = try IntakeDatabase(path: spool.environment.storePath)
        defer { database.close() }
        let deadline = Date().addingTimeInterval(30)
        while try database.caseCount() < rows / 10, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        daemon.kill(SIGKILL)
        _ = try await daemon.waitForExit()
        let beforeRestart = try database.caseCount()
        #expect(beforeRestart > 0 && beforeRestart < rows, "the kill lands in the middle of the file (\(beforeRestart) cases)")
        #expect(spool.archived()["large.csv"] == nil)

        daemon = try DaemonProcess(environment: spool.environment, port: port)
        try await daemon.waitUntilHealthy()
        try await spool.waitFor("large.csv", timeoutSecs: 60)
        #expect(try database.caseCount() == rows, "every row once")
        let outbox = try database.outboxCounts()
        #expect(outbox.pending + outbox.delivered + outbox.dead == rows, "one event per row, none doubled")
        daemon.kill(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }
}
