import Foundation
import IntakeStore
import IntakeTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Field-visit uploads over real HTTP and through the drop directory: one case per demand,
/// re-uploads that change nothing, edits that update, and a crash in the middle of a batch.
@Suite(.serialized) struct VisitChannelTests {
    static func visit(
        _ id: String = UUID().uuidString.lowercased(), demands: [String]? = ["厂房用地指标不足", "人才公寓申请进度慢", "技改补贴尚未拨付"],
        notes: String? = nil, visitedAt: String? = "2026-02-26T10:00:00+08:00", attachments: String = ""
    ) -> String {
        var members = [
            #""visit_id": "\#(id)""#, #""recorded_at": "2026-02-26T10:40:00+08:00""#,
            #""enterprise": {"name": "天津某某科技有限公司", "uscc": "91120116MA07K3RD93", "address": "泰达大街 1 号"}"#,
            #""staff": {"id": "S1024", "name": "李工", "phone": "139 2000 1024"}"#, #""participants": ["张总", "王经理"]"#,
        ]
        if let visitedAt { members.append(#""visited_at": "\#(visitedAt)""#) }
        if let notes { members.append(#""notes": "\#(notes)""#) }
        if let demands {
            members.append(#""demands": ["# + demands.map { #"{"text": "\#($0)", "category": "土地"}"# }.joined(separator: ", ") + "]")
        }
        if !attachments.isEmpty { members.append(#""attachments": \#(attachments)"#) }
        return "{" + members.joined(separator: ", ") + "}"
    }

    static func upload(_ daemon: TestDaemon, _ body: String) async throws -> (status: Int, visits: [[String: Any]]) {
        let answer = try await daemon.post(body, headers: ["X-Intake-Signature": signature(body)], path: "/v1/visits")
        return (answer.status, (try answer.json()["visits"] as? [[String: Any]]) ?? [])
    }

    @Test func aVisitWithThreeDemandsBecomesThreeCases() async throws {
        let daemon = try await TestDaemon.start()
        let id = UUID().uuidString.lowercased()
        let (status, visits) = try await Self.upload(daemon, Self.visit(id))
        #expect(status == 202)
        #expect(visits.first?["status"] as? String == "created")
        let cases = try #require(visits.first?["cases"] as? [[String: Any]])
        #expect(cases.compactMap { $0["ref"] as? String } == ["\(id)#1", "\(id)#2", "\(id)#3"])
        let files = try await daemon.environment.waitForEventFiles(count: 3)
        let bodies = try files.map { try caseOf(daemon.environment, $0) }
        #expect(Set(bodies.map(\.description)) == ["厂房用地指标不足", "人才公寓申请进度慢", "技改补贴尚未拨付"])
        for body in bodies {
            #expect(body.channel.rawValue == "visit")
            #expect(body.requester.role == "field_staff")
            #expect(body.requester.name == "李工")
            #expect(body.extra["visit_id"]?.stringValue == id)
            #expect(body.reportedAt == "2026-02-26T10:00:00+08:00")
        }
        await daemon.stop()
    }

    @Test func anUnsignedOrBadlySignedUploadIsRefusedAndTakesNothing() async throws {
        let daemon = try await TestDaemon.start()
        let body = Self.visit()
        let unsigned = try await daemon.post(body, path: "/v1/visits")
        #expect(unsigned.status == 401)
        let forged = try await daemon.post(body, headers: ["X-Intake-Signature": signature(body, secret: "not-the-secret")], path: "/v1/visits")
        #expect(forged.status == 401)
        let broken = try await daemon.post("{\"visit_id\": ", headers: ["X-Intake-Signature": signature("{\"visit_id\": ")], path: "/v1/visits")
        #expect(broken.status == 400)
        #expect(try daemon.database.caseCount() == 0)
        await daemon.stop()
    }

    @Test func aNotesOnlyVisitIsSplitIntoItsDemands() async throws {
        let daemon = try await TestDaemon.start()
        let (_, visits) = try await Self.upload(daemon, Self.visit(
            demands: nil, notes: "企业反映以下问题：1、用地指标不足；2、人才公寓申请进度慢；3、技改补贴尚未拨付。"))
        #expect((visits.first?["cases"] as? [[String: Any]])?.count == 3)
        let (_, single) = try await Self.upload(daemon, Self.visit(demands: nil, notes: "企业计划于2026年3月1日启动第1期扩建，需协调用电增容。"))
        #expect((single.first?["cases"] as? [[String: Any]])?.count == 1, "dates and 第1期 are not an enumeration")
        await daemon.stop()
    }

    @Test func aMultipartUploadWithTwoPhotosSharesThemAcrossTheVisitsCases() async throws {
        let daemon = try await TestDaemon.start()
        let photo1 = Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 7, count: 3000)
        let photo2 = Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 9, count: 5000)
        let json = Self.visit(demands: ["厂房漏水", "道路破损"], attachments: #"[{"name": "现场1.jpg", "media_type": "image/jpeg", "part": "photo1"}, {"name": "现场2.jpg", "media_type": "image/jpeg", "part": "photo2"}]"#)
        let boundary = "intake-\(UUID().uuidString)"
        var body = Data()
        func part(_ name: String, _ fileName: String?, _ type: String, _ data: Data) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\(fileName.map { "; filename=\"\($0)\"" } ?? "")\r\nContent-Type: \(type)\r\n\r\n".utf8))
            body.append(data)
            body.append(Data("\r\n".utf8))
        }
        part("visit", nil, "application/json", Data(json.utf8))
        part("photo1", "IMG_0001.jpg", "image/jpeg", photo1)
        part("photo2", "IMG_0002.jpg", "image/jpeg", photo2)
        body.append(Data("--\(boundary)--\r\n".utf8))
        let answer = try await HTTPAnswer.send(
            port: daemon.port, method: "POST", path: "/v1/visits", body: body,
            headers: ["X-Intake-Signature": signature(body), "Content-Type": "multipart/form-data; boundary=\(boundary)"])
        #expect(answer.status == 202, "\(answer.text)")
        let files = try await daemon.environment.waitForEventFiles(count: 2)
        for file in files {
            let attachments = try caseOf(daemon.environment, file).attachments
            #expect(attachments.map(\.size) == [photo1.count, photo2.count])
            #expect(attachments.map(\.name) == ["现场1.jpg", "现场2.jpg"])
        }
        await daemon.stop()
    }

    @Test func aBatchWithOneInvalidVisitTakesTheOthersAndSaysWhichFailed() async throws {
        let daemon = try await TestDaemon.start()
        let batch = #"{"visits": ["# + [Self.visit(), Self.visit(visitedAt: nil), Self.visit()].joined(separator: ", ") + "]}"
        let (status, visits) = try await Self.upload(daemon, batch)
        #expect(status == 202)
        #expect(visits.compactMap { $0["status"] as? String } == ["created", "invalid", "created"])
        let errors = try #require(visits[1]["errors"] as? [String])
        #expect(errors.contains { $0.contains("visited_at") }, "\(errors)")
        #expect(try await daemon.environment.waitForEventFiles(count: 6).count == 6)

        // The tablet sends the same batch again: nothing new, and it is told so.
        let (_, again) = try await Self.upload(daemon, batch)
        #expect(again.compactMap { $0["status"] as? String } == ["repeat", "invalid", "repeat"])
        try await Task.sleep(for: .milliseconds(300))
        #expect(try daemon.environment.eventFiles().count == 6)
        await daemon.stop()
    }

    @Test func anEditedReuploadUpdatesTheChangedDemandAndTracesTheRemovedOne() async throws {
        let daemon = try await TestDaemon.start()
        let id = UUID().uuidString.lowercased()
        _ = try await Self.upload(daemon, Self.visit(id, demands: ["厂房用地指标不足", "人才公寓申请进度慢", "技改补贴尚未拨付"]))
        _ = try await daemon.environment.waitForEventFiles(count: 3)
        let (status, visits) = try await Self.upload(daemon, Self.visit(id, demands: ["厂房用地指标不足", "人才公寓审批已超过三个月"]))
        #expect(status == 202)
        #expect(visits.first?["status"] as? String == "updated")
        #expect((visits.first?["cases"] as? [[String: Any]])?.compactMap { $0["status"] as? String } == ["repeat", "updated"])
        let files = try await daemon.environment.waitForEventFiles(count: 4)
        let update = try #require(files.first { $0.contains(".updated") })
        let body = try caseOf(daemon.environment, update)
        #expect(body.ref == "\(id)#2")
        #expect(body.description == "人才公寓审批已超过三个月")
        #expect(try daemon.database.traceEntries(for: "\(id)#3").map(\.step).contains("demand_removed"))
        await daemon.stop()
    }

    @Test func aBatchFileInTheDropDirectoryIsTaken() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-visits-\(UUID().uuidString)")
        let environment = try TestEnvironment(extraYAML: """
            visits:
              spool_dir: \(directory.path)/drop
              settle_secs: 0
              rescan_interval_millis: 100
            """, directory: directory)
        let daemon = try await TestDaemon.start(environment)
        let drop = directory.appendingPathComponent("drop")
        try await waitUntil { FileManager.default.fileExists(atPath: drop.appendingPathComponent(".work").path) }
        let lines = [Self.visit(demands: ["路灯不亮"]), Self.visit(visitedAt: "yesterday"), Self.visit(demands: ["污水外溢", "道路破损"])]
        try (lines.joined(separator: "\n") + "\n").write(to: drop.appendingPathComponent("week-09.jsonl"), atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: drop.appendingPathComponent("week-09.jsonl.done").path, contents: nil)
        #expect(try await environment.waitForEventFiles(count: 3).count == 3)
        try await waitUntil {
            let days = (try? FileManager.default.contentsOfDirectory(atPath: drop.appendingPathComponent("archive").path)) ?? []
            return days.contains { FileManager.default.fileExists(atPath: drop.appendingPathComponent("archive/\($0)/week-09.jsonl.errors.csv").path) }
        }
        await daemon.stop()
    }

    @Test func theSameVisitUploadedAndDroppedAsAFileIsTheSameCases() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-visits-\(UUID().uuidString)")
        let environment = try TestEnvironment(extraYAML: """
            visits:
              spool_dir: \(directory.path)/drop
              settle_secs: 0
              rescan_interval_millis: 100
            """, directory: directory)
        let daemon = try await TestDaemon.start(environment)
        let visit = Self.visit()
        let (status, _) = try await Self.upload(daemon, visit)
        #expect(status == 202)
        _ = try await environment.waitForEventFiles(count: 3)
        let drop = directory.appendingPathComponent("drop")
        try visit.write(to: drop.appendingPathComponent("export.json"), atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: drop.appendingPathComponent("export.json.done").path, contents: nil)
        try await waitUntil {
            let days = (try? FileManager.default.contentsOfDirectory(atPath: drop.appendingPathComponent("archive").path)) ?? []
            return days.contains { FileManager.default.fileExists(atPath: drop.appendingPathComponent("archive/\($0)/export.json").path) }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try environment.eventFiles().count == 3, "no second set of cases")
        #expect(try daemon.database.caseCount() == 3)
        await daemon.stop()
    }

    @Test func aSIGKILLDuringALargeBatchThenTheTabletsRetryLosesAndDoublesNothing() async throws {
        let port = DaemonProcess.freePort()
        let environment = try TestEnvironment(port: port)
        var daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        let batches = (0..<10).map { _ in #"{"visits": ["# + (0..<50).map { _ in Self.visit() }.joined(separator: ", ") + "]}" }
        // The tablet uploads batch after batch; the daemon is killed while they are in flight.
        let uploads = Task {
            for batch in batches {
                _ = try? await HTTPAnswer.send(
                    port: port, method: "POST", path: "/v1/visits", body: Data(batch.utf8), headers: ["X-Intake-Signature": signature(batch)])
            }
        }
        let database = try IntakeDatabase(path: environment.storePath)
        defer { database.close() }
        try await waitUntil { try database.caseCount() >= 150 }
        daemon.kill(SIGKILL)
        _ = try await daemon.waitForExit()
        _ = await uploads.result
        let before = try database.caseCount()
        #expect(before < 1500, "the kill lands before the last batch (\(before) cases)")
        #expect(before % 150 == 0, "a batch is taken whole or not at all (\(before) cases)")

        daemon = try DaemonProcess(environment: environment, port: port)
        try await daemon.waitUntilHealthy()
        // The tablet retries everything it has not seen answered: here, simply all of it.
        for batch in batches {
            let answer = try await HTTPAnswer.send(
                port: port, method: "POST", path: "/v1/visits", body: Data(batch.utf8), headers: ["X-Intake-Signature": signature(batch)])
            #expect(answer.status == 202)
        }
        #expect(try database.caseCount() == 1500, "every demand once")
        daemon.kill(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }
}
