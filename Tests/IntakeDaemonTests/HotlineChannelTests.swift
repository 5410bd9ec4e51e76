import Foundation
import IntakeStore
import IntakeTestSupport
import Testing

/// Files dropped into a live daemon's spool directory, through each completion rule, and
/// what comes out: forwarded cases, reject reports, the archive and the quarantine.
@Suite struct HotlineChannelTests {
    @Test(arguments: [("gb18030_excel.csv", 20), ("utf8_bom.csv", 10), ("utf16_tab.tsv", 8)])
    func anExportInEachEncodingBecomesItsCases(fixture: String, rows: Int) async throws {
        let spool = try HotlineSpool()
        let daemon = try await TestDaemon.start(spool.environment)
        try spool.drop(hotlineFixture(fixture))
        try await spool.waitFor(fixture)
        #expect(try await spool.waitForEvents(rows).count == rows)
        let cases = try spool.createdCases()
        #expect(cases.count == rows)
        #expect(spool.archived()[fixture + ".errors.csv"] == nil, "no row was rejected")
        for (ref, body) in cases {
            #expect(body.description.isEmpty == false, "\(ref)")
            #expect(body.requester.phone?.hasPrefix("+86") == true, "\(ref)")
            #expect(body.enterprise.usccValid == true)
            #expect(body.reportedAt?.hasSuffix("+08:00") == true)
            #expect(body.channel.rawValue == "hotline")
        }
        await daemon.stop()
    }

    @Test func theGB18030ExportKeepsExcelGuardsGBKCharactersAndLineBreaks() async throws {
        let spool = try HotlineSpool()
        let daemon = try await TestDaemon.start(spool.environment)
        try spool.drop(hotlineFixture("gb18030_excel.csv"))
        try await spool.waitFor("gb18030_excel.csv")
        _ = try await spool.waitForEvents(20)
        let cases = try spool.createdCases()
        #expect(Set(cases.keys) == Set((1...20).map { String(format: "GB%06d", $0) }), "the =\"…\" guards are gone from the refs")
        let third = try #require(cases["GB000003"])
        #expect(third.requester.name == "朱镕先生")
        let fifth = try #require(cases["GB000005"])
        #expect(fifth.requester.phone == "+862266290000")
        #expect(fifth.description == "第一行说明\n第二行说明，含有\"引号\"", "full-width punctuation as written, the line break kept")
        #expect(fifth.reportedAt == "2026-02-06T09:05:00+08:00")
        #expect(try #require(cases["GB000007"]).priority.rawValue == "urgent")
        #expect(fifth.extra["承办部门"]?.stringValue == "区营商环境办", "unmapped columns kept under their header")
        #expect(fifth.extra["category"]?.stringValue == "土地")
        #expect(spool.archived()["gb18030_excel.csv.errors.csv"] == nil, "the closing 合计 line is not a rejected row")
        await daemon.stop()
    }

    @Test func threeBadRowsOfFiftyGiveFortySevenCasesAndAThreeLineReport() async throws {
        let spool = try HotlineSpool()
        let daemon = try await TestDaemon.start(spool.environment)
        try spool.drop(hotlineFixture("bad_rows.csv"))
        try await spool.waitFor("bad_rows.csv")
        #expect(try await spool.waitForEvents(47).count == 47)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try spool.events().count == 47)

        let report = try #require(spool.archived()["bad_rows.csv.errors.csv"])
        let bytes = try Data(contentsOf: report)
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]), "a BOM, so that Excel reads UTF-8")
        let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).split(separator: "\r\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0] == "行号,列,原因,原始行", "zh-CN by default")
        #expect(lines[1].hasPrefix("12,2 来电时间,"), "\(lines[1])")
        #expect(lines[1].contains("2026-13-45 25:00"))
        #expect(lines[2].hasPrefix("27,9 诉求内容,"), "\(lines[2])")
        #expect(lines[3].hasPrefix("42,1 工单编号,"), "\(lines[3])")
        #expect(lines[3].contains("\"BR000040") == false && lines[3].contains(",2026-02-26 09:40:05,"), "the original row follows")
        #expect(lines[2].contains(",诉求内容为空（必填）,"), "\(lines[2])")
        let result = try #require(spool.archived()["bad_rows.csv.result.csv"], "the result report is archived beside the file")
        let results = String(decoding: try Data(contentsOf: result).dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(results.count == 51)
        #expect(results.filter { $0.contains(",新建,") }.count == 47)
        #expect(results.filter { $0.contains(",拒收,") }.count == 3)

        let quarantined = try daemon.database.quarantined()
        #expect(quarantined.map(\.line) == [12, 27, 42])
        #expect(quarantined.allSatisfy { $0.kind == .row && $0.fileName == "bad_rows.csv" && $0.header?.first == "工单编号" })
        await daemon.stop()
    }

    /// A row of 100 000 cells is rejected into the report with its reason; the rows around it
    /// are taken.
    @Test func aRowWithAHundredThousandCellsIsRejectedAndTheRestOfTheFileTaken() async throws {
        let spool = try HotlineSpool()
        let daemon = try await TestDaemon.start(spool.environment)
        let header = "工单编号,来电时间,来电号码,诉求人,诉求内容"
        let wide = "WD0002,2026/2/26 9:14,13812345678,李女士,路灯不亮," + (0..<99_995).map { "x\($0 % 10)" }.joined(separator: ",")
        let text = [header, "WD0001,2026/2/26 9:13,13812345678,张先生,厂房用地规划许可进度咨询", wide,
                    "WD0003,2026/2/26 9:15,13912345678,王先生,人才公寓申请流程"].joined(separator: "\r\n") + "\r\n"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wide-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try spool.drop(file, as: "wide.csv")
        try await spool.waitFor("wide.csv")
        let events = try await spool.waitForEvents(2)
        #expect(Set(events.map(\.case.ref)) == ["WD0001", "WD0003"])
        #expect(events.allSatisfy { $0.case.extra.count < 5 })
        let report = try #require(spool.archived()["wide.csv.errors.csv"])
        let lines = String(decoding: try Data(contentsOf: report).dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("3,6,此行在表头的 5 列之外还有 99995 个非空单元格，最多接收 32 个") == true, "\(lines.last?.prefix(300) ?? "")")
        await daemon.stop()
    }

    @Test func aFileWithAnUnknownHeaderIsQuarantinedWholeWithAReason() async throws {
        let spool = try HotlineSpool()
        let daemon = try await TestDaemon.start(spool.environment)
        try spool.drop(hotlineFixture("unknown_header.csv"))
        let file = try await spool.waitFor("unknown_header.csv", inQuarantine: true)
        let reason = try String(contentsOfFile: file.path + ".reason.txt", encoding: .utf8)
        #expect(reason.contains("工单编号"), "the reason names what is missing: \(reason)")
        let entries = try daemon.database.quarantined()
        #expect(entries.count == 1)
        #expect(entries.first?.kind == .file)
        #expect(try spool.events().isEmpty)
        #expect(spool.archived().isEmpty)
        await daemon.stop()
    }

    @Test func theSameFileDroppedTwiceCreatesNothingNew() async throws {
        let spool = try HotlineSpool()
        let daemon = try await TestDaemon.start(spool.environment)
        try spool.drop(hotlineFixture("utf8_bom.csv"))
        try await spool.waitFor("utf8_bom.csv")
        _ = try await spool.waitForEvents(10)
        try spool.drop(hotlineFixture("utf8_bom.csv"))
        try await spool.waitFor("utf8_bom-2.csv")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try spool.events().count == 10)
        let steps = try daemon.database.traceEntries(for: "utf8_bom.csv").map(\.step)
        #expect(steps.filter { $0 == "file_ingested" }.count == 2)
        await daemon.stop()
    }

    @Test func anOverlappingExportAddsOnlyItsNewRowsAndUpdatesTheChangedOne() async throws {
        let spool = try HotlineSpool()
        let daemon = try await TestDaemon.start(spool.environment)
        try spool.drop(hotlineFixture("overlap_day1.csv"))
        try await spool.waitFor("overlap_day1.csv")
        _ = try await spool.waitForEvents(10)
        try spool.drop(hotlineFixture("overlap_day2.csv"))
        try await spool.waitFor("overlap_day2.csv")
        let events = try await spool.waitForEvents(16)
        #expect(events.count == 16)
        let updates = events.filter { $0.event == .updated }
        #expect(updates.count == 1)
        let updated = try #require(updates.first?.case)
        #expect(updated.ref == "OV000008")
        #expect(updated.description == "补充说明：企业已重新提交材料，请再次核查。")
        let created = try spool.createdCases()
        #expect(Set(created.keys) == Set((1...15).map { String(format: "OV%06d", $0) }))
        #expect(updated.id == created["OV000008"]?.id, "the update is of the same case")
        await daemon.stop()
    }

    @Test func aFileRenamedInFromAPartialNameIsTaken() async throws {
        let spool = try HotlineSpool()
        let daemon = try await TestDaemon.start(spool.environment)
        let partial = spool.directory.appendingPathComponent("export.csv.part")
        try FileManager.default.copyItem(at: hotlineFixture("utf8_bom.csv"), to: partial)
        try await Task.sleep(for: .milliseconds(500))
        #expect(spool.archived().isEmpty, "a .part file is never read")
        try FileManager.default.moveItem(at: partial, to: spool.directory.appendingPathComponent("export.csv"))
        try await spool.waitFor("export.csv", timeoutSecs: 5)
        #expect(try await spool.waitForEvents(10).count == 10)
        await daemon.stop()
    }

    @Test func withoutAMarkerOrARenameAFileWaitsForTheSettleTime() async throws {
        let spool = try HotlineSpool(settleSecs: 1)
        let daemon = try await TestDaemon.start(spool.environment)
        try FileManager.default.copyItem(at: hotlineFixture("utf8_bom.csv"), to: spool.directory.appendingPathComponent("copied.csv"))
        try FileManager.default.copyItem(at: hotlineFixture("utf8_bom.csv"), to: spool.directory.appendingPathComponent(".hidden.csv"))
        try FileManager.default.copyItem(at: hotlineFixture("utf8_bom.csv"), to: spool.directory.appendingPathComponent("~$locked.csv"))
        let copied = Date()
        let archived = try await spool.waitFor("copied.csv", timeoutSecs: 10)
        #expect(Date().timeIntervalSince(copied) >= 1, "taken only after a second unchanged")
        #expect(FileManager.default.fileExists(atPath: archived.path))
        try await Task.sleep(for: .milliseconds(1500))
        #expect(FileManager.default.fileExists(atPath: spool.directory.appendingPathComponent(".hidden.csv").path), "hidden files are never read")
        #expect(FileManager.default.fileExists(atPath: spool.directory.appendingPathComponent("~$locked.csv").path))
        #expect(try spool.events().count == 10)
        await daemon.stop()
    }

    @Test func withTheSettleRuleOffAnUnmarkedFileIsLeftAlone() async throws {
        let spool = try HotlineSpool(settleSecs: 0)
        let daemon = try await TestDaemon.start(spool.environment)
        try FileManager.default.copyItem(at: hotlineFixture("utf8_bom.csv"), to: spool.directory.appendingPathComponent("waiting.csv"))
        try await Task.sleep(for: .milliseconds(1000))
        #expect(spool.archived().isEmpty)
        FileManager.default.createFile(atPath: spool.directory.appendingPathComponent("waiting.done").path, contents: nil)
        try await spool.waitFor("waiting.csv", timeoutSecs: 5)
        #expect(!FileManager.default.fileExists(atPath: spool.directory.appendingPathComponent("waiting.done").path), "the marker is removed")
        await daemon.stop()
    }
}
