import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IntakeChannels
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Logging
import NIOCore
import Testing

@testable import IntakeDaemon

/// The console through Hummingbird's in-process client: logins, cookies, CSRF tokens, roles,
/// escaping and downloads, over a store with real cases.
@Suite struct ConsoleRouteTests {
    final class Fixture: Sendable {
        let environment: TestEnvironment
        let configuration: LoadedConfiguration
        let database: IntakeDatabase
        let blobs: BlobStore
        let console: AdminConsole
        let webhook: WebhookIntake

        init(maxLoginFailures: Int = 5, dedup: Bool = false) async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-console-\(UUID().uuidString)")
            let usersFile = directory.appendingPathComponent("admin-users").path
            let mapping = repositoryRoot.appendingPathComponent("channels/hotline.yaml").path
            environment = try TestEnvironment(
                extraYAML: """
                    admin:
                      enabled: true
                      listen_port: 0
                      users_file: \(usersFile)
                      max_login_failures: \(maxLoginFailures)
                    hotline:
                      sources:
                        - {name: hotline, spool_dir: \(directory.path)/spool, mapping: \(mapping)}
                    """,
                dedup: dedup, directory: directory)
            configuration = try ConfigurationLoader.load(path: environment.configPath)
            database = try configuration.openDatabase()
            blobs = try BlobStore(root: URL(fileURLWithPath: configuration.settings.store.blobDir))
            let admin = ConsoleUserAdmin(file: ConsoleUsersFile(path: usersFile), database: database)
            try await admin.add("admin", role: .admin, password: "admin-password", by: "test")
            try await admin.add("operator", role: .operator, password: "operator-password", by: "test")
            try await admin.add("viewer", role: .viewer, password: "viewer-password", by: "test")
            console = try AdminConsole(configuration: configuration, database: database, blobs: blobs, logger: Logger(label: "test"))
            webhook = WebhookIntake(
                configuration: configuration.settings.webhook, database: database, blobs: blobs,
                authenticator: Live(SourceAuthenticator(sources: configuration.webhookSources)), normalizer: Live(configuration.normalizer),
                logger: Logger(label: "test"), onQueued: {})
        }

        /// Takes a webhook request; the id of its case.
        func post(_ body: String, key: String? = nil) async throws -> String {
            let answer = await webhook.handle(
                IntakeHeaders(signature: signature(body), idempotencyKey: key, contentType: "application/json"), body: Array(body.utf8))
            let json = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
            return try #require((json["cases"] as? [[String: Any]])?.first?["id"] as? String)
        }

        /// Dead-letters every due event, as a sink that refused them would.
        func deadLetterEverything() async throws {
            let due = try await database.dueEvents(now: .distantFuture, limit: 100)
            try await database.record(due.map { ($0, .deadLetter(reason: "HTTP 400: 字段不合法")) }, sink: "http")
        }

        var application: some ApplicationProtocol { Application(router: console.router()) }

        deinit {
            database.close()
            try? FileManager.default.removeItem(at: environment.directory)
        }
    }

    /// A browser's cookie jar, enough for these tests.
    struct Browser {
        var cookies: [String: String] = [:]

        var header: HTTPFields {
            cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
        }

        mutating func take(_ response: TestResponse) {
            for line in response.headers[values: .setCookie] {
                let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { continue }
                if pair[1].isEmpty { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
            }
        }

        mutating func get(_ client: some TestClientProtocol, _ uri: String) async throws -> TestResponse {
            let response = try await client.execute(uri: uri, method: .get, headers: header)
            take(response)
            return response
        }

        mutating func post(_ client: some TestClientProtocol, _ uri: String, _ form: String) async throws -> TestResponse {
            var headers = header
            headers[.contentType] = "application/x-www-form-urlencoded"
            let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: form))
            take(response)
            return response
        }

        /// Logs in through the form; the answer to the form's post.
        mutating func login(_ client: some TestClientProtocol, _ user: String, _ password: String) async throws -> TestResponse {
            _ = try await get(client, "/login")
            let token = cookies[AdminConsole.loginCookie] ?? ""
            return try await post(client, "/login", "csrf=\(token)&user=\(user)&password=\(password)")
        }

        /// The CSRF token the page's forms carry.
        static func csrf(in page: TestResponse) -> String? {
            let text = String(buffer: page.body)
            guard let range = text.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
            return String(text[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
    }

    @Test func aPageWithoutASessionSendsToTheLoginAndTheLoginSetsAStrictHttpOnlyCookie() async throws {
        let fixture = try await Fixture()
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            let anonymous = try await browser.get(client, "/dead")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/login?next=%2Fdead")
            let wrong = try await browser.login(client, "admin", "not-the-password")
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("用户名或密码错误"))
            #expect(browser.cookies[AdminConsole.sessionCookie] == nil)
            let right = try await browser.login(client, "admin", "admin-password")
            #expect(right.status == .seeOther)
            let cookie = try #require(right.headers[values: .setCookie].first { $0.hasPrefix("intake_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"))
            let overview = try await browser.get(client, "/")
            #expect(overview.status == .ok)
            #expect(String(buffer: overview.body).contains("概览"))
            #expect(overview.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'none'") == true)
            #expect(overview.headers[.cacheControl] == "no-store")
        }
    }

    @Test func behindATLSProxyTheCookieIsSecure() async throws {
        let fixture = try await Fixture()
        try await fixture.application.test(.router) { client in
            let login = try await client.execute(uri: "/login", method: .get, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            let cookie = try #require(login.headers[values: .setCookie].first { $0.hasPrefix("intake_login=") })
            #expect(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        }
    }

    @Test func aLoginWithoutTheFormsTokenIsRefused() async throws {
        let fixture = try await Fixture()
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            let forged = try await browser.post(client, "/login", "user=admin&password=admin-password")
            #expect(forged.status == .forbidden)
            #expect(browser.cookies[AdminConsole.sessionCookie] == nil)
        }
    }

    @Test func loginsAreRateLimited() async throws {
        let fixture = try await Fixture(maxLoginFailures: 3)
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            for _ in 0..<3 { #expect(try await browser.login(client, "admin", "guess").status == .unauthorized) }
            let refused = try await browser.login(client, "admin", "admin-password")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter].flatMap(Int.init).map { $0 > 0 } == true)
            #expect(browser.cookies[AdminConsole.sessionCookie] == nil)
        }
    }

    @Test func aPostWithoutTheCSRFTokenIsRefusedAndChangesNothing() async throws {
        let fixture = try await Fixture()
        _ = try await fixture.post(sampleRequest(ref: "csrf-1"))
        try await fixture.deadLetterEverything()
        let letter = try #require(try fixture.database.deadLetters().first)
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "admin", "admin-password")
            let missing = try await browser.post(client, "/dead/replay", "one=\(letter.outboxID)")
            #expect(missing.status == .forbidden)
            let wrong = try await browser.post(client, "/dead/replay", "csrf=forged&one=\(letter.outboxID)")
            #expect(wrong.status == .forbidden)
            #expect(String(buffer: wrong.body).contains("CSRF"))
        }
        #expect(try fixture.database.deadLetters().count == 1)
    }

    @Test func aViewerSeesDeadLettersButIsRefusedAReplayAndAnOperatorReplaysWithTheirNameTraced() async throws {
        let fixture = try await Fixture()
        let caseID = try await fixture.post(sampleRequest(ref: "dead-1"))
        try await fixture.deadLetterEverything()
        let letter = try #require(try fixture.database.deadLetters().first)
        try await fixture.application.test(.router) { client in
            var viewer = Browser()
            _ = try await viewer.login(client, "viewer", "viewer-password")
            let page = try await viewer.get(client, "/dead")
            #expect(page.status == .ok)
            let text = String(buffer: page.body)
            #expect(text.contains("HTTP 400: 字段不合法") && text.contains("只读账户不能重放"))
            #expect(!text.contains("replay-one"))
            let token = try #require(Browser.csrf(in: page))
            let refused = try await viewer.post(client, "/dead/replay", "csrf=\(token)&one=\(letter.outboxID)")
            #expect(refused.status == .forbidden)
            #expect(String(buffer: refused.body).contains("权限不足"))
            #expect(try fixture.database.deadLetters().count == 1)

            var operatorBrowser = Browser()
            _ = try await operatorBrowser.login(client, "operator", "operator-password")
            let dead = try await operatorBrowser.get(client, "/dead")
            let operatorToken = try #require(Browser.csrf(in: dead))
            let replay = try await operatorBrowser.post(client, "/dead/replay", "csrf=\(operatorToken)&one=\(letter.outboxID)")
            #expect(replay.status == .seeOther)
            #expect(try fixture.database.deadLetters().isEmpty)
            let replayed = try fixture.database.traceEntries(for: caseID).filter { $0.step == "replayed" }
            #expect(replayed.map(\.actor) == ["operator@console"])
        }
    }

    @Test func hostileCaseTextIsShownAsTextOnEveryPageThatShowsIt() async throws {
        let fixture = try await Fixture()
        let hostile = #"<script>alert(1)</script>"#
        // The ref as JSON text, then as the case holds it.
        let caseID = try await fixture.post(sampleRequest(ref: #"xss-\"><img src=x onerror=alert(2)>"#, description: hostile))
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "viewer", "viewer-password")
            for uri in ["/cases/\(caseID)", "/cases?ref=" + AdminConsole.queryEscaped(#"xss-"><img src=x onerror=alert(2)>"#), "/enterprises?uscc=91120116MA07K3RD93"] {
                let page = try await browser.get(client, uri)
                #expect(page.status == .ok, "\(uri)")
                let text = String(buffer: page.body)
                #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(uri)")
                #expect(!text.contains("<script"), "\(uri)")
                #expect(!text.contains("<img src=x"), "\(uri)")
            }
        }
    }

    @Test func searchFindsACaseByRefPhoneEmailEnterpriseAndKey() async throws {
        let fixture = try await Fixture()
        let caseID = try await fixture.post(sampleRequest(ref: "find-me-1"), key: "portal-key-0001")
        let unkeyed = try await fixture.post(sampleRequest(ref: nil, description: "食堂燃气管道老化，存在安全隐患。"), key: "portal-key-0002")
        _ = try await fixture.post(sampleRequest(ref: "other-2", description: "园区道路路灯不亮，晚上出行不便。")
            .replacingOccurrences(of: "138 1234 5678", with: "139 2000 1024").replacingOccurrences(of: "zhang@example.cn", with: "li@example.cn"))
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "viewer", "viewer-password")
            for query in ["ref=find-me-1", "key=portal-key-0001", "case=\(caseID.suffix(12))", "case=\(caseID)"] {
                let page = String(buffer: try await browser.get(client, "/cases?" + query).body)
                #expect(page.contains("共 1 件"), "\(query)")
                #expect(page.contains("/cases/\(caseID)"), "\(query)")
            }
            // A request without a ref: its key is its ref.
            let keyed = String(buffer: try await browser.get(client, "/cases?key=portal-key-0002").body)
            #expect(keyed.contains("共 1 件") && keyed.contains("/cases/\(unkeyed)"))
            for query in ["phone=13812345678", "phone=%2B86+138-1234-5678", "email=ZHANG%40example.cn"] {
                let page = String(buffer: try await browser.get(client, "/cases?" + query).body)
                #expect(page.contains("共 2 件") && page.contains("/cases/\(caseID)") && page.contains("/cases/\(unkeyed)"), "\(query)")
            }
            let all = String(buffer: try await browser.get(client, "/cases?enterprise=某某科技").body)
            #expect(all.contains("共 3 件"))
            #expect(String(buffer: try await browser.get(client, "/cases?enterprise=91120116MA07K3RD93&phone=13920001024").body).contains("共 1 件"))
            let none = String(buffer: try await browser.get(client, "/cases?phone=13700000000").body)
            #expect(none.contains("共 0 件"))
        }
    }

    @Test func pastTheRawInputHorizonAKeyStillFindsItsCaseAndTheRawInputIsShownAsRetired() async throws {
        let fixture = try await Fixture()
        let caseID = try await fixture.post(sampleRequest(ref: "old-1"), key: "old-key-1")
        let report = try await fixture.database.sweep(
            fixture.configuration.settings.retention, blobs: fixture.blobs, asOf: Date().addingTimeInterval(200 * 86400))
        #expect(try fixture.database.casesAnswered(idempotencyKey: "old-key-1").isEmpty, "the stored answer went: \(report)")
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "viewer", "viewer-password")
            let found = String(buffer: try await browser.get(client, "/cases?key=old-key-1").body)
            #expect(found.contains("共 1 件") && found.contains("/cases/\(caseID)"))
            #expect(String(buffer: try await browser.get(client, "/cases?key=old-key-2").body).contains("共 0 件"))
            let page = String(buffer: try await browser.get(client, "/cases/\(caseID)").body)
            #expect(page.contains("已按保留期限清理") && !page.contains("raw-download"))
            #expect(page.contains("step-raw_retired"))
            #expect(try await browser.get(client, "/cases/\(caseID)/raw").status == .notFound)
        }
    }

    @Test func searchIsPaginatedAndFiltersByChannelCategoryAndDate() async throws {
        let fixture = try await Fixture()
        for index in 0..<25 { _ = try await fixture.post(sampleRequest(ref: "page-\(index)", description: "第\(index)次反映：园区\(index)号楼停车位不足。")) }
        let zone = fixture.configuration.timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let format = DateFormatter()
        format.timeZone = zone
        format.dateFormat = "yyyy-MM-dd"
        let today = format.string(from: Date())
        let yesterday = format.string(from: calendar.date(byAdding: .day, value: -1, to: Date())!)
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "viewer", "viewer-password")
            let first = String(buffer: try await browser.get(client, "/cases?channel=webhook").body)
            #expect(first.contains("共 25 件，第 1 / 2 页"))
            #expect(first.components(separatedBy: "class=\"case-link\"").count - 1 == 20)
            #expect(first.contains("/cases?channel=webhook&amp;page=2"))
            #expect(first.contains("page-24") && !first.contains("page-4<"))
            let second = String(buffer: try await browser.get(client, "/cases?channel=webhook&page=2").body)
            #expect(second.components(separatedBy: "class=\"case-link\"").count - 1 == 5)
            #expect(second.contains("page-0<") && second.contains("上一页"))
            #expect(String(buffer: try await browser.get(client, "/cases?channel=hotline").body).contains("共 0 件"))
            #expect(String(buffer: try await browser.get(client, "/cases?category=land").body).contains("共 25 件"))
            #expect(String(buffer: try await browser.get(client, "/cases?category=tax").body).contains("共 0 件"))
            #expect(String(buffer: try await browser.get(client, "/cases?from=\(today)&to=\(today)").body).contains("共 25 件"))
            #expect(String(buffer: try await browser.get(client, "/cases?to=\(yesterday)").body).contains("共 0 件"))
            #expect(String(buffer: try await browser.get(client, "/cases?from=2026-13-40").body).contains("日期格式"))
        }
    }

    @Test func theCasePageShowsItsTimelineAndItsRawInputDownloadsAsAnAttachment() async throws {
        let fixture = try await Fixture()
        let caseID = try await fixture.post(sampleRequest(ref: "raw-1"))
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "viewer", "viewer-password")
            let page = String(buffer: try await browser.get(client, "/cases/\(caseID)").body)
            // (Deduplication is off in this environment: no `deduplicated` step.)
            for step in ["received", "normalised", "stored", "queued"] { #expect(page.contains("step-\(step)"), "\(step)") }
            let raw = try await browser.get(client, "/cases/\(caseID)/raw")
            #expect(raw.status == .ok)
            #expect(raw.headers[.contentDisposition] == #"attachment; filename="raw-1-raw.json"; filename*=UTF-8''raw-1-raw.json"#)
            #expect(raw.headers[.contentType] == "application/octet-stream")
            #expect(String(buffer: raw.body).contains("厂房用地规划许可"))
        }
    }

    @Test func anAttachmentDownloadsUnderItsSafeNameAndOnlyFromItsCase() async throws {
        let fixture = try await Fixture()
        let bytes = Data("<html><script>alert(3)</script></html>".utf8)
        let attachment = #", "attachments": [{"name": "../现场说明.html", "media_type": "text/html", "content_base64": "\#(bytes.base64EncodedString())"}]"#
        let caseID = try await fixture.post(sampleRequest(ref: "attach-1", extra: attachment))
        let otherID = try await fixture.post(sampleRequest(ref: "attach-2", description: "另一件诉求。"))
        let document = try #require(try fixture.database.caseDocument(id: caseID))
        let stored = try JSONDecoder().decode(IntakeCase.self, from: Data(document.utf8))
        let sha = try #require(stored.attachments.first?.sha256)
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "viewer", "viewer-password")
            let page = String(buffer: try await browser.get(client, "/cases/\(caseID)").body)
            #expect(page.contains("/cases/\(caseID)/attachments/\(sha)"))
            let download = try await browser.get(client, "/cases/\(caseID)/attachments/\(sha)")
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "application/octet-stream")
            #expect(download.headers[.contentDisposition]?.hasPrefix(#"attachment; filename="____.html"; filename*=UTF-8''"#) == true)
            #expect(download.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(Data(buffer: download.body) == bytes)
            // The attachment is this case's: another case's page does not serve it.
            #expect(try await browser.get(client, "/cases/\(otherID)/attachments/\(sha)").status == .notFound)
        }
    }

    @Test func anOperatorReplaysTheSelectedDeadLettersOrAllOfThem() async throws {
        let fixture = try await Fixture()
        for index in 0..<4 { _ = try await fixture.post(sampleRequest(ref: "sel-\(index)", description: "第\(index)件：厂区围墙倒塌需要修复，位置\(index * 31)号。")) }
        try await fixture.deadLetterEverything()
        let letters = try fixture.database.deadLetters().map(\.outboxID)
        #expect(letters.count == 4)
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "operator", "operator-password")
            let token = try #require(Browser.csrf(in: try await browser.get(client, "/dead")))
            #expect(try await browser.post(client, "/dead/replay", "csrf=\(token)&selected=1&id=\(letters[0])&id=\(letters[2])").status == .seeOther)
            #expect(try fixture.database.deadLetters().map(\.outboxID) == [letters[1], letters[3]])
            let flash = String(buffer: try await browser.get(client, "/dead").body)
            #expect(flash.contains("已重放 2 条死信"))
            #expect(!String(buffer: try await browser.get(client, "/dead").body).contains("已重放"), "a flash is shown once")
            #expect(try await browser.post(client, "/dead/replay", "csrf=\(token)&all=1").status == .seeOther)
            #expect(try fixture.database.deadLetters().isEmpty)
        }
    }

    @Test func aDeadLetterShowsTheLaterEventsOfItsCaseItHoldsBack() async throws {
        let fixture = try await Fixture()
        let hotline = try HotlineAdmin(configuration: fixture.configuration)
        defer { hotline.close() }
        func drop(_ name: String, _ text: String) async throws {
            let file = fixture.environment.directory.appendingPathComponent(name)
            try "工单编号,来电时间,来电号码,诉求内容\nRX-7,2026/12/6 9:13,13920001024,\(text)\n".write(to: file, atomically: true, encoding: .utf8)
            _ = try await hotline.ingest(channel: "hotline", file: file.path, progress: nil)
        }
        try await drop("first.csv", "园区自来水压力不足。")
        try await fixture.deadLetterEverything()
        try await drop("second.csv", "园区自来水压力不足，三楼以上经常停水。")
        let letter = try #require(try fixture.database.deadLetters().first)
        #expect(letter.heldBack == 1)
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "viewer", "viewer-password")
            let page = String(buffer: try await browser.get(client, "/dead").body)
            let row = try #require(page.range(of: "id=\"dead-\(letter.outboxID)\"").map { page[$0.upperBound...] })
            #expect(row.prefix(1500).contains("case.updated ("), "\(row.prefix(1500))")
        }
    }

    @Test func downloadNamesLoseTheirPathsAndControls() {
        #expect(AdminConsole.safeFileName("../../etc/passwd") == "passwd")
        #expect(AdminConsole.safeFileName("C:\\Windows\\evil.exe") == "evil.exe")
        #expect(AdminConsole.safeFileName("..\u{0}\r\n") == "download")
        #expect(AdminConsole.safeFileName("现场\"1\";.jpg") == "现场1.jpg")
        let response = AdminConsole.download(Data("x".utf8), name: "现场 照片.jpg", mediaType: "application/octet-stream")
        #expect(response.headers[.contentDisposition] == "attachment; filename=\"_____.jpg\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%20%E7%85%A7%E7%89%87.jpg")
    }

    @Test func onlyAnAdminManagesUsersAndARemovedUsersSessionEndsAtOnce() async throws {
        let fixture = try await Fixture()
        try await fixture.application.test(.router) { client in
            var operatorBrowser = Browser()
            _ = try await operatorBrowser.login(client, "operator", "operator-password")
            #expect(try await operatorBrowser.get(client, "/users").status == .forbidden)
            let token = try #require(Browser.csrf(in: try await operatorBrowser.get(client, "/")))
            #expect(try await operatorBrowser.post(client, "/users/add", "csrf=\(token)&user=mallory&role=admin&password=mallory-password").status == .forbidden)

            var admin = Browser()
            _ = try await admin.login(client, "admin", "admin-password")
            let users = try await admin.get(client, "/users")
            let adminToken = try #require(Browser.csrf(in: users))
            #expect(try await admin.post(client, "/users/add", "csrf=\(adminToken)&user=zhao&role=viewer&password=zhao-password").status == .seeOther)
            #expect(try await admin.post(client, "/users/remove", "csrf=\(adminToken)&user=operator").status == .seeOther)
            #expect(try await operatorBrowser.get(client, "/").status == .seeOther, "the removed user's session is gone")
        }
        let names = try ConsoleUsersFile(path: fixture.configuration.settings.admin.usersFile).read().map(\.name)
        #expect(names == ["admin", "viewer", "zhao"])
        #expect(try fixture.database.consoleUserChanges().suffix(2).map(\.actor) == ["admin@console", "admin@console"])
    }

    @Test func anOperatorReprocessesAQuarantinedFileAndTheTraceNamesThem() async throws {
        let fixture = try await Fixture()
        let export = fixture.environment.directory.appendingPathComponent("没有表头.csv")
        try "序号,备注\n1,无法识别的导出\n".write(to: export, atomically: true, encoding: .utf8)
        let hotline = try HotlineAdmin(configuration: fixture.configuration)
        let summary = try await hotline.ingest(channel: "hotline", file: export.path, progress: nil)
        hotline.close()
        #expect(summary.quarantinedReason != nil)
        let entry = try #require(try fixture.database.quarantined().first)
        try await fixture.application.test(.router) { client in
            var viewer = Browser()
            _ = try await viewer.login(client, "viewer", "viewer-password")
            let page = try await viewer.get(client, "/quarantine")
            #expect(String(buffer: page.body).contains("没有表头.csv"))
            let viewerToken = try #require(Browser.csrf(in: page))
            #expect(try await viewer.post(client, "/quarantine/reprocess", "csrf=\(viewerToken)&one=\(entry.id!)").status == .forbidden)
            #expect(try fixture.database.quarantined().count == 1)

            var operatorBrowser = Browser()
            _ = try await operatorBrowser.login(client, "operator", "operator-password")
            let token = try #require(Browser.csrf(in: try await operatorBrowser.get(client, "/quarantine")))
            let done = try await operatorBrowser.post(client, "/quarantine/reprocess", "csrf=\(token)&one=\(entry.id!)")
            #expect(done.status == .seeOther)
        }
        #expect(try fixture.database.quarantined().isEmpty)
        let reprocessed = try #require(try fixture.database.quarantineEntry(entry.id!))
        #expect(reprocessed.resolvedBy == "operator@console")
        #expect(try fixture.database.traceEntries(for: "没有表头.csv").filter { $0.step == "reprocessed" }.map(\.actor) == ["operator@console"])
        let handedBack = try FileManager.default.contentsOfDirectory(atPath: fixture.environment.directory.appendingPathComponent("spool").path)
        #expect(handedBack.contains { $0.contains("没有表头") }, "the file is back in the spool: \(handedBack)")
    }

    @Test func theEnterpriseRecordFindsEveryCaseByFoldedNameWithDuplicatesUnderTheirOriginal() async throws {
        let fixture = try await Fixture(dedup: true)
        let text = "我司厂房用地规划许可已提交两个月，请问目前进度如何？"
        let original = try await fixture.post(sampleRequest(ref: "ent-1", description: text))
        let duplicate = try await fixture.post(sampleRequest(ref: "ent-2", description: text + "已经反映过一次了，请尽快回复。"))
        // The name written another way, without a USCC (its text in traditional characters):
        // the same enterprise by its folded name.
        let withoutUSCC = #""name": "某某科技（天津）有限公司"}"#
        let branch = try await fixture.post(sampleRequest(ref: "ent-3", description: "園區道路路燈不亮，晚上出行不便。")
            .replacingOccurrences(of: #""name": "天津某某科技有限公司", "uscc": "91120116MA07K3RD93"}"#, with: withoutUSCC))
        let other = try await fixture.post(sampleRequest(ref: "ent-4", description: "申请人才公寓配租。")
            .replacingOccurrences(of: #""name": "天津某某科技有限公司", "uscc": "91120116MA07K3RD93"}"#, with: #""name": "天津另一家科技有限公司"}"#))
        let stored = try #require(try fixture.database.caseSummary(id: duplicate))
        #expect(stored.duplicateOf == original)
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "viewer", "viewer-password")
            let byName = String(buffer: try await browser.get(client, "/enterprises?name=" + AdminConsole.queryEscaped("某某科技有限公司")).body)
            #expect(byName.contains("共 3 件诉求，2 个原始案件"), "\(byName)")
            #expect(byName.contains("/cases/\(branch)") && !byName.contains("/cases/\(other)"))
            // The duplicate is listed inside its original's group.
            let group = try #require(byName.range(of: "/cases/\(original)").map { byName[$0.upperBound...] })
            let groupEnd = group.range(of: "</article>").map { group[..<$0.lowerBound] } ?? group
            #expect(groupEnd.contains("/cases/\(duplicate)") && groupEnd.contains("重复件"))
            let byUSCC = String(buffer: try await browser.get(client, "/enterprises?uscc=91120116ma07k3rd93").body)
            #expect(byUSCC.contains("共 2 件诉求，1 个原始案件"), "\(byUSCC)")
        }
    }

    @Test func theOverviewCountsWhatTheStoreHolds() async throws {
        let fixture = try await Fixture()
        for index in 0..<3 { _ = try await fixture.post(sampleRequest(ref: "count-\(index)", description: "第\(index)号诉求：厂房屋顶漏水需要维修，编号\(index * 7919)。")) }
        try await fixture.deadLetterEverything()
        try await fixture.application.test(.router) { client in
            var browser = Browser()
            _ = try await browser.login(client, "viewer", "viewer-password")
            let page = String(buffer: try await browser.get(client, "/").body)
            #expect(page.contains(#"id="cases-today">3<"#))
            #expect(page.contains(#"id="cases-week">3<"#))
            #expect(page.contains(#"id="dead-letters">3<"#))
            #expect(page.contains(#"id="outbox-depth">0<"#))
            #expect(page.contains("<svg class='chart'"))
            #expect(page.contains(#"http-equiv="refresh""#))
        }
    }
}
