import Foundation
import GRDB
import IntakeCore
import IntakeDaemon
import IntakeStore
import IntakeTestSupport
import Testing

/// `intake erase` beside a running daemon: what is left of the erased person in the store's
/// files afterwards (nothing), what the routing queue hears (case.erased), and what stays
/// (the tombstone, the ledger, the other people's cases).
@Suite struct ErasureTests {
    /// Another requester, so that what must stay is there to be found.
    static func liRequest(ref: String) -> String {
        sampleRequest(ref: ref, description: "园区道路照明损坏，夜间出行不便，请尽快维修。")
            .replacingOccurrences(of: "张先生", with: "李女士")
            .replacingOccurrences(of: "138 1234 5678", with: "139 8765 4321")
            .replacingOccurrences(of: "zhang@example.cn", with: "li@example.cn")
            .replacingOccurrences(of: "天津某某科技有限公司", with: "天津另一家物流有限公司")
            .replacingOccurrences(of: "91120116MA07K3RD93", with: "91120116MA05JNE16X")
    }

    /// Every byte of the store's database, WAL and blob files.
    static func storeBytes(_ environment: TestEnvironment) throws -> Data {
        var bytes = Data()
        for path in [environment.storePath, environment.storePath + "-wal"] where FileManager.default.fileExists(atPath: path) {
            bytes.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        let blobs = environment.directory.appendingPathComponent("blobs")
        for case let url as URL in FileManager.default.enumerator(at: blobs, includingPropertiesForKeys: nil) ?? .init() {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { bytes.append(try Data(contentsOf: url)) }
        }
        return bytes
    }

    static func occurrences(in bytes: Data, of values: [String]) -> [String] {
        values.filter { bytes.range(of: Data($0.utf8)) != nil }
    }

    @Test func erasingAPhoneLeavesNoByteOfItInTheStoreAndTellsTheRoutingQueue() async throws {
        let environment = try TestEnvironment(dedup: true)
        let daemon = try await TestDaemon.start(environment)
        let zhang = ["13812345678", "138 1234 5678", "+8613812345678", "zhang@example.cn", "张先生"]
        let li = ["+8613987654321", "li@example.cn", "李女士"]
        try await stopping(daemon) {
            // Zhang: two requests, the first with his number in its text and a photo whose
            // bytes carry it too; Li: one.
            let photo = Data("现场照片，联系人张先生 138 1234 5678".utf8).base64EncodedString()
            let first = sampleRequest(
                ref: "zhang-1", description: "厂房用地规划许可已提交两个月，请回电13812345678。",
                extra: #", "attachments": [{"name": "照片.jpg", "media_type": "image/jpeg", "content_base64": "\#(photo)"}]"#)
            #expect(try await daemon.postSigned(first).status == 202)
            #expect(try await daemon.postSigned(sampleRequest(ref: "zhang-2", description: "人才公寓申请材料已补齐，请问何时审核？")).status == 202)
            #expect(try await daemon.postSigned(Self.liRequest(ref: "li-1")).status == 202)
            #expect(try await environment.waitForEventFiles(count: 3).count == 3)
            #expect(Self.occurrences(in: try Self.storeBytes(environment), of: zhang) == zhang, "the check finds what is there")

            let loaded = try ConfigurationLoader.load(path: environment.configPath)
            var request = ErasureRun.Request()
            request.phones = ["138-1234-5678"]
            request.reason = "本人来电申请删除个人信息（工单 PIPL-2026-0042，来电 13812345678）"
            request.actor = "admin-wang"
            request.dryRun = true
            let rehearsal = try await ErasureRun.erase(configuration: loaded, request)
            #expect(rehearsal.matched.count == 2)
            #expect(Self.occurrences(in: try Self.storeBytes(environment), of: zhang) == zhang, "a dry run changes nothing")

            request.dryRun = false
            let report = try await ErasureRun.erase(configuration: loaded, request)
            #expect(Set(report.matched.map(\.ref)) == ["zhang-1", "zhang-2"])
            #expect(report.matched.map(\.matchedBy) == rehearsal.matched.map(\.matchedBy))
            #expect(report.rawInputsRetired == 2 && report.blobsRemoved == 1 && report.dedupRowsRemoved == 2 && report.eventsQueued == 2)
            let ids = report.matched.map(\.caseID)

            // The routing queue hears case.erased for each, carrying the tombstone only.
            let files = try await environment.waitForEventFiles(count: 5)
            for id in ids {
                let name = "\(id).erased.json"
                #expect(files.contains(name))
                let event = try readEvent(environment, name)
                #expect(event.event == .erased)
                #expect(event.case.erased?.by == "admin-wang")
                #expect(event.case.erased?.reason.contains("13812345678") == false, "the reason is scrubbed too")
                #expect(event.case.requester == Requester() && event.case.enterprise == Enterprise())
                #expect(event.case.description == IntakeDatabase.erasedDescription && event.case.attachments.isEmpty)
                #expect(event.case.category != nil, "the tombstone keeps the category")
            }
            try expectEventsMatchSchema(in: environment)
            let steps = try daemon.database.traceEntries(for: "zhang-1")
            #expect(steps.contains { $0.step == "erased" && $0.actor == "admin-wang" })
            #expect(steps.contains { $0.step == "delivered" && ($0.detail ?? "").contains(".erased") })

            // Nothing of Zhang in the database, the WAL or the blobs, after a checkpoint; Li is all there.
            let checkpoint = try DatabaseQueue(path: environment.storePath)
            try await checkpoint.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try checkpoint.close()
            let bytes = try Self.storeBytes(environment)
            #expect(Self.occurrences(in: bytes, of: zhang).isEmpty, "left in the store: \(Self.occurrences(in: bytes, of: zhang))")
            #expect(Self.occurrences(in: bytes, of: li) == li)

            // The ledger stays: a re-send is a repeat. The dedup index forgot him: the same
            // demand from him again is a new case, not a duplicate of the tombstone.
            let again = try await daemon.postSigned(first, key: "resend-zhang-1")
            #expect((try again.json()["cases"] as? [[String: Any]])?.first?["status"] as? String == "repeat")
            let fresh = try await daemon.postSigned(sampleRequest(ref: "zhang-3", description: "厂房用地规划许可已提交两个月，请回电13812345678。"))
            let answered = try #require((try fresh.json()["cases"] as? [[String: Any]])?.first)
            #expect(answered["status"] as? String == "created", "\(answered)")
            #expect(answered["duplicate_of"] == nil)

            // Erasing again finds the tombstones and does nothing.
            let second = try await ErasureRun.erase(configuration: loaded, { var r = request; r.phones = []; r.caseIDs = ids; return r }())
            #expect(second.matched.isEmpty && Set(second.alreadyErased) == Set(ids))
        }
        try? FileManager.default.removeItem(at: environment.directory)
    }

    @Test func aRequestWithoutSelectorOrReasonIsRefusedAndABadPhoneIsNamed() throws {
        var request = ErasureRun.Request()
        request.reason = "x"
        #expect(throws: ErasureRun.Invalid.self) { try ErasureRun.selectors(request, defaultAreaCode: "022") }
        request.phones = ["13812345678"]
        request.reason = "  "
        #expect(throws: ErasureRun.Invalid.self) { try ErasureRun.selectors(request, defaultAreaCode: "022") }
        request.reason = "申请"
        request.phones = ["not a number"]
        let invalid = try #require(throws: ErasureRun.Invalid.self) { try ErasureRun.selectors(request, defaultAreaCode: "022") }
        #expect(invalid.description.contains("not a number"))
        request.phones = ["66290000", "138 1234 5678"]
        let selectors = try ErasureRun.selectors(request, defaultAreaCode: "022")
        #expect(selectors == [.phone(canonical: "+862266290000", digits: "2266290000"), .phone(canonical: "+8613812345678", digits: "13812345678")])
    }
}
