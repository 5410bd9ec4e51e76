import Foundation
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Testing

/// Cross-channel deduplication end to end, through the real daemon: what reaches the
/// routing queue is one `case.created` and its repeats as `case.duplicate` linked to it.
@Suite(.serialized) struct DedupTests {
    static let demand = "我司位于滨海新区的新建厂房用地规划许可申请已经提交两个月，至今没有审批结果，请问目前办理进度如何，是否还需要补充其他材料？"
    /// Re-sent with a greeting, a thanks and one word changed: a duplicate.
    static let editedDemand = "您好！我司位于滨海新区的新建厂房用地规划许可申请已提交两个月，至今没有审批结果，请问目前办理进度如何，是否还需要补充其他材料？谢谢"
    /// Three small rewordings: similar enough for a person to look at, not a duplicate.
    static let rewordedDemand = "我司位于滨海新区的新建厂房用地规划许可申请已提交两个月了，至今没有审批结果，请问目前办理进度如何，是否需要补充其他材料？"
    static let otherDemand = "公司新引进的三名研发人员想申请人才公寓，材料已经提交，想了解审核需要多长时间以及入住条件。"

    /// A USCC with a valid check digit, different for each `serial`.
    static func validUSCC(_ serial: Int) -> String {
        let stem = String(format: "9112011%010d", serial)
        for check in "0123456789ABCDEFGHJKLMNPQRTUWXY" where USCC(stem + String(check)).isValid { return stem + String(check) }
        fatalError("no check digit for \(stem)")
    }

    static func request(
        ref: String, description: String, enterprise: String = "天津某某科技有限公司", uscc: String = "91120116MA07K3RD93",
        phone: String = "13812345678", email: String = "zhang@example.cn", reportedAt: String = "2026-02-26T09:13:05+08:00",
        category: String = "土地"
    ) -> String {
        """
        {"ref": "\(ref)", "reported_at": "\(reportedAt)",
         "requester": {"name": "张先生", "phone": "\(phone)", "email": "\(email)"},
         "enterprise": {"name": "\(enterprise)", "uscc": "\(uscc)"},
         "description": "\(description)", "category": "\(category)"}
        """
    }

    /// The case of each event file, keyed by ref, with the event's kind.
    static func events(_ environment: TestEnvironment) throws -> [String: (event: String, case: IntakeCase)] {
        var byRef: [String: (String, IntakeCase)] = [:]
        for file in try environment.eventFiles() {
            let event = try readEvent(environment, file)
            byRef[event.case.ref] = (event.event.rawValue, event.case)
        }
        return byRef
    }

    @Test func aHotlineRowThenALightlyEditedEmailIsCreatedAndDuplicateAndThatSurvivesARestart() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        let environment = try EmailChannelTests.environment(dovecot, dedup: true) { directory in
            """
            hotline:
              sources:
                - name: hotline
                  spool_dir: \(directory.path)/spool
                  mapping: \(repositoryRoot.appendingPathComponent("channels/hotline.yaml").path)
                  settle_secs: 0
                  rescan_interval_millis: 100
            """
        }
        let directory = environment.directory
        var daemon = try await TestDaemon.start(environment)

        let spool = directory.appendingPathComponent("spool")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        let csv = """
            工单编号,来电时间,来电号码,诉求人,企业名称,统一社会信用代码,诉求类型,诉求标题,诉求内容,所属区域,紧急程度,承办部门
            RX000001,2026-02-26 09:01:05,13812345678,张先生,天津某某科技有限公司,91120116MA07K3RD93,规划,厂房用地规划许可进度,\(Self.demand),新城街道,一般,区规划和自然资源局

            """
        try Data(csv.utf8).write(to: spool.appendingPathComponent("day1.csv"))
        FileManager.default.createFile(atPath: spool.appendingPathComponent("day1.csv.done").path, contents: nil)
        #expect(try await environment.waitForEventFiles(count: 1, timeoutSecs: 20).count == 1)
        let hotline = try #require(try Self.events(environment)["RX000001"])
        #expect(hotline.event == "case.created")
        let original = hotline.case.id

        try dovecot.deliver(mail(id: "again-1@example.cn", subject: "厂房用地规划许可", body: Self.editedDemand + "\n联系电话 138 1234 5678"))
        #expect(try await environment.waitForEventFiles(count: 2, timeoutSecs: 20).count == 2)
        let email = try #require(try Self.events(environment)["again-1@example.cn"])
        #expect(email.event == "case.duplicate")
        #expect(email.case.duplicateOf == original)
        #expect((email.case.similarity ?? 0) >= 0.8)
        let emailID = email.case.id

        // The index is in the store: a new process still knows the hotline case.
        await daemon.stop()
        daemon = try await TestDaemon.start(environment)
        try dovecot.deliver(mail(id: "again-2@example.cn", subject: "再次咨询", body: Self.editedDemand + "\n联系电话 138 1234 5678"))
        #expect(try await environment.waitForEventFiles(count: 3, timeoutSecs: 20).count == 3)
        let third = try #require(try Self.events(environment)["again-2@example.cn"])
        #expect(third.event == "case.duplicate")
        #expect(third.case.duplicateOf == original, "a duplicate points at the original, not at another duplicate")
        await daemon.stop()

        let explained = try runCLI(["dedup", "explain", emailID, "--config", environment.configPath])
        #expect(explained.status == 0, "\(explained.output)")
        #expect(explained.output.contains("duplicate of \(original)"), "\(explained.output)")
        #expect(explained.output.contains("phone:+8613812345678"), "\(explained.output)")
        let json = try #require(try JSONSerialization.jsonObject(
            with: Data(runCLI(["dedup", "explain", emailID, "--json", "--config", environment.configPath]).output.utf8)) as? [String: Any])
        let candidates = try #require((json["decision"] as? [String: Any])?["candidates"] as? [[String: Any]])
        #expect(candidates.first?["case_id"] as? String == original)
        #expect(candidates.first?["verdict"] as? String == "duplicate")
    }

    @Test func theSameTextFromTwoEnterprisesIsTwoCases() async throws {
        let daemon = try await TestDaemon.start(TestEnvironment(dedup: true))
        try await stopping(daemon) {
            let first = try await daemon.postSigned(Self.request(ref: "a", description: Self.demand), key: "a")
            let second = try await daemon.postSigned(Self.request(
                ref: "b", description: Self.demand, enterprise: "天津另一家制造有限公司", uscc: Self.validUSCC(7),
                phone: "13900001111", email: "li@other.cn"), key: "b")
            #expect(first.status == 202 && second.status == 202)
            let events = try await Self.waitForEvents(daemon, count: 2)
            #expect(events["a"]?.event == "case.created")
            #expect(events["b"]?.event == "case.created")
            #expect(events["b"]?.case.possibleDuplicateOf == nil)
            let explained = try runCLI(["dedup", "explain", "b", "--config", daemon.environment.configPath])
            #expect(explained.output.contains("different_enterprise"), "\(explained.output)")
        }
    }

    /// A re-send converted to traditional characters (and the enterprise's name with it) is
    /// the same demand: OpenCC reads it as simplified for matching; the case keeps what was written.
    @Test func aReSendInTraditionalCharactersIsADuplicate() async throws {
        let daemon = try await TestDaemon.start(TestEnvironment(dedup: true))
        try await stopping(daemon) {
            let traditional = "我司位於濱海新區的新建廠房用地規劃許可申請已經提交兩個月，至今沒有審批結果，請問目前辦理進度如何，是否還需要補充其他材料？"
            _ = try await daemon.postSigned(Self.request(ref: "simplified", description: Self.demand, uscc: "", phone: "", email: ""), key: "simplified")
            let answer = try await daemon.postSigned(
                Self.request(ref: "traditional", description: traditional, enterprise: "天津某某科技有限公司", uscc: "", phone: "", email: ""),
                key: "traditional")
            let cases = try #require(try answer.json()["cases"] as? [[String: Any]])
            #expect(cases.first?["status"] as? String == "duplicate", "\(cases)")
            let events = try await Self.waitForEvents(daemon, count: 2)
            #expect(events["traditional"]?.event == "case.duplicate")
            #expect(events["traditional"]?.case.description == traditional, "stored as written")
        }
    }

    @Test func theSameEnterpriseWithADifferentDemandIsTwoCases() async throws {
        let daemon = try await TestDaemon.start(TestEnvironment(dedup: true))
        try await stopping(daemon) {
            _ = try await daemon.postSigned(Self.request(ref: "land", description: Self.demand), key: "land")
            let answer = try await daemon.postSigned(Self.request(ref: "talent", description: Self.otherDemand, category: "人才"), key: "talent")
            let cases = try #require(try answer.json()["cases"] as? [[String: Any]])
            #expect(cases.first?["duplicate_of"] == nil)
            let events = try await Self.waitForEvents(daemon, count: 2)
            #expect(events["land"]?.event == "case.created")
            #expect(events["talent"]?.event == "case.created")
        }
    }

    @Test func theWindowDecidesAndWebhookAnswersNameTheOriginal() async throws {
        let daemon = try await TestDaemon.start(TestEnvironment(dedup: true))
        try await stopping(daemon) {
            _ = try await daemon.postSigned(Self.request(ref: "jan", description: Self.demand, reportedAt: "2026-01-01T10:00:00+08:00"), key: "jan")
            // 29 days later: within the 30-day window.
            let inside = try await daemon.postSigned(
                Self.request(ref: "inside", description: Self.editedDemand, reportedAt: "2026-01-30T10:00:00+08:00"), key: "inside")
            // 31 days later: a new case.
            let outside = try await daemon.postSigned(
                Self.request(ref: "outside", description: Self.editedDemand, reportedAt: "2026-02-01T10:00:00+08:00"), key: "outside")
            let events = try await Self.waitForEvents(daemon, count: 3)
            let original = try #require(events["jan"]?.case.id)
            #expect(events["inside"]?.event == "case.duplicate")
            #expect(events["inside"]?.case.duplicateOf == original)
            #expect((try inside.json()["cases"] as? [[String: Any]])?.first?["duplicate_of"] as? String == original)
            #expect(events["outside"]?.event == "case.created")
            #expect((try outside.json()["cases"] as? [[String: Any]])?.first?["duplicate_of"] == nil)
            let explained = try runCLI(["dedup", "explain", "outside", "--config", daemon.environment.configPath])
            // The first case is 31 days away: the lookup does not even return it.
            #expect(explained.output.contains("decision    new"), "\(explained.output)")
            #expect(explained.output.contains("candidates  none"), "\(explained.output)")
        }
    }

    @Test func aLooserMatchIsCreatedWithAPossibleDuplicateHint() async throws {
        let daemon = try await TestDaemon.start(TestEnvironment(dedup: true))
        try await stopping(daemon) {
            _ = try await daemon.postSigned(Self.request(ref: "first", description: Self.demand), key: "first")
            _ = try await daemon.postSigned(Self.request(ref: "second", description: Self.rewordedDemand), key: "second")
            let events = try await Self.waitForEvents(daemon, count: 2)
            let original = try #require(events["first"]?.case.id)
            #expect(events["second"]?.event == "case.created")
            #expect(events["second"]?.case.possibleDuplicateOf == original)
        }
    }

    @Test func withDedupOffTheSameTextIsTwoCreatedCases() async throws {
        let daemon = try await TestDaemon.start(TestEnvironment(dedup: false))
        try await stopping(daemon) {
            _ = try await daemon.postSigned(Self.request(ref: "one", description: Self.demand), key: "one")
            _ = try await daemon.postSigned(Self.request(ref: "two", description: Self.demand), key: "two")
            let events = try await Self.waitForEvents(daemon, count: 2)
            #expect(events["one"]?.event == "case.created")
            #expect(events["two"]?.event == "case.created")
            #expect(try runCLI(["dedup", "explain", "two", "--config", daemon.environment.configPath]).status == 2)
        }
    }

    static func waitForEvents(_ daemon: TestDaemon, count: Int) async throws -> [String: (event: String, case: IntakeCase)] {
        let files = try await daemon.environment.waitForEventFiles(count: count, timeoutSecs: 10)
        #expect(files.count == count)
        return try events(daemon.environment)
    }
}

/// The enumeration splitter behind `split_demands` on the webhook and email channels.
@Suite(.serialized) struct DemandSplittingTests {
    static let listed = "企业反映以下问题：（一）厂房用地规划许可申请提交两个月仍未批复；（二）新引进的三名研发人员申请人才公寓，想了解审核时间。"

    @Test func aWebhookRequestListingTwoDemandsBecomesTwoCasesWhenSwitchedOn() async throws {
        let daemon = try await TestDaemon.start(TestEnvironment(splitDemands: true))
        try await stopping(daemon) {
            let answer = try await daemon.postSigned(DedupTests.request(ref: "list", description: Self.listed), key: "list")
            #expect(answer.status == 202)
            let cases = try #require(try answer.json()["cases"] as? [[String: Any]])
            #expect(cases.map { $0["ref"] as? String } == ["list#1", "list#2"])
            let events = try await DedupTests.waitForEvents(daemon, count: 2)
            let first = try #require(events["list#1"]?.case)
            let second = try #require(events["list#2"]?.case)
            #expect(first.description.contains("规划许可") == true)
            #expect(second.description.contains("人才公寓") == true)
            #expect(second.description.contains("规划") == false)
            #expect(first.extra["notes_preamble"]?.stringValue == "企业反映以下问题：")
            #expect(second.extra["demand_count"] == .number(2))
            // The same request again: both demands are repeats.
            let again = try await daemon.postSigned(DedupTests.request(ref: "list", description: Self.listed), key: "list-again")
            #expect((try again.json()["cases"] as? [[String: Any]])?.map { $0["status"] as? String } == ["repeat", "repeat"])
        }
    }

    @Test func switchedOffByDefaultTheRequestStaysOneCase() async throws {
        let daemon = try await TestDaemon.start(TestEnvironment())
        try await stopping(daemon) {
            let answer = try await daemon.postSigned(DedupTests.request(ref: "list", description: Self.listed), key: "list")
            let cases = try #require(try answer.json()["cases"] as? [[String: Any]])
            #expect(cases.map { $0["ref"] as? String } == ["list"])
        }
    }

    @Test func anEmailListingTwoDemandsBecomesTwoCasesAndAReplyFollowsTheFirst() async throws {
        let dovecot = try Dovecot()
        defer { dovecot.remove() }
        let environment = try EmailChannelTests.environment(dovecot, sourceYAML: "      split_demands: true")
        let daemon = try await TestDaemon.start(environment)
        try await stopping(daemon) {
            try dovecot.deliver(mail(id: "list@example.cn", subject: "两个问题", body: "1. 厂房用地规划许可申请提交两个月仍未批复。\n2. 三名研发人员申请人才公寓，想了解审核时间。"))
            #expect(try await environment.waitForEventFiles(count: 2, timeoutSecs: 20).count == 2)
            var events = try DedupTests.events(environment)
            let first = try #require(events["list@example.cn#1"]?.case.id)
            #expect(events["list@example.cn#2"]?.event == "case.created")
            try dovecot.deliver(mail(id: "reply@example.cn", subject: "Re: 两个问题", body: "补充：规划许可材料已补交。", headers: ["In-Reply-To: <list@example.cn>"]))
            #expect(try await environment.waitForEventFiles(count: 3, timeoutSecs: 20).count == 3)
            events = try DedupTests.events(environment)
            #expect(events["reply@example.cn"]?.event == "case.followup")
            #expect(events["reply@example.cn"]?.case.followupOf == first)
        }
    }
}
