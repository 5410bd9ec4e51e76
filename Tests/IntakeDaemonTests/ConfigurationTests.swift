import IntakeCore
import Foundation
import IntakeChannels
import IntakeDaemon
import IntakeTestSupport
import Testing

@Suite struct ConfigurationTests {
    func issues(_ yaml: String) -> [ConfigurationIssue] {
        do {
            _ = try ConfigurationLoader.load(yaml: yaml, file: "bad.yaml", environment: [:])
            return []
        } catch let error as ConfigurationError {
            return error.issues
        } catch {
            return [ConfigurationIssue(file: "?", option: "", message: "\(error)")]
        }
    }

    @Test func theShippedDevConfigIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(root.path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let loaded = try ConfigurationLoader.load(path: "deploy/intake.dev.yaml")
        #expect(loaded.settings.webhook.listenPort == 8080)
        guard case .file(let sink) = loaded.settings.forwarding.sink else { Issue.record("the dev config's sink is a file sink"); return }
        #expect(sink.dir == "./var/outbox")
        #expect(sink.layout == "batched")
        #expect(loaded.webhookSources.map(\.name) == ["portal"])
        #expect(loaded.hotlineSources.map(\.name) == ["hotline"])
        #expect(loaded.classifier?.taxonomy != nil)
        #expect(loaded.calendar != .weekendsOnly, "the holiday file is loaded")
        #expect(loaded.hotlineSources.first?.spool.directory.path.hasSuffix("var/spool/hotline") == true)
        // The admin console on 127.0.0.1:8081, user admin (role admin) with the dev password.
        #expect(loaded.settings.admin.enabled && loaded.settings.admin.listenHost == "127.0.0.1" && loaded.settings.admin.listenPort == 8081)
        let password = try String(contentsOfFile: "deploy/dev/admin.password", encoding: .utf8).trimmingCharacters(in: .newlines)
        let admin = try #require(try ConsoleUsersFile(path: loaded.settings.admin.usersFile).read().first { $0.name == "admin" })
        #expect(admin.role == .admin)
        #expect(admin.password.verify(password))
    }

    @Test func aMistakeInAHotlineMappingIsReportedAtItsLineInTheMappingFile() throws {
        let mapping = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-\(UUID().uuidString).yaml")
        let shipped = try String(contentsOf: repositoryRoot.appendingPathComponent("channels/hotline.yaml"), encoding: .utf8)
        let lines = shipped.components(separatedBy: "\n")
        let priorityLine = try #require(lines.firstIndex { $0.contains("紧急: urgent") })
        try lines.enumerated().map { $0.offset == priorityLine ? $0.element.replacingOccurrences(of: "紧急: urgent", with: "紧急: soon") : $0.element }
            .joined(separator: "\n").write(to: mapping, atomically: true, encoding: .utf8)
        let found = issues("""
            webhook:
              enabled: false
            hotline:
              sources:
                - name: hotline
                  spool_dir: /tmp/spool
                  mapping: \(mapping.path)
                  delimiter: pipe
            """)
        let inMapping = try #require(found.first { $0.file == mapping.path }, "\(found)")
        #expect(inMapping.line == priorityLine + 1, "\(inMapping)")
        #expect(inMapping.message.contains("soon"), "\(inMapping)")
        #expect(found.contains { $0.option == "hotline.sources[0].delimiter" && $0.line == 8 }, "\(found)")
    }

    @Test func anUnknownOptionIsReportedAtItsLine() {
        let found = issues("""
            webhook:
              listen_port: 8080
              listne_host: 127.0.0.1
            """)
        #expect(found.count == 1)
        #expect(found.first?.line == 3)
        #expect(found.first?.option == "webhook.listne_host")
        #expect(found.first?.message.contains("unknown option") == true)
    }

    @Test func aWrongTypeIsReportedAtItsLine() {
        let found = issues("""
            zone:
              time_zone: Asia/Shanghai
            webhook:
              listen_port: eighty
            """)
        #expect(found.first?.line == 4)
        #expect(found.first?.description.hasPrefix("bad.yaml:4:") == true)
        #expect(found.first?.message == "expected a whole number")
    }

    @Test func everySemanticMistakeIsReportedWithItsLine() {
        let found = issues("""
            zone:
              time_zone: Mars/Olympus
            webhook:
              sources:
                - name: portal
                  auth: hmac
                  secret_file: /nonexistent/secret
                - name: portal
                  auth: basic
                  secret_file: /nonexistent/other
            forwarding:
              sink:
                type: kafka
            """)
        let byOption = Dictionary(found.map { ($0.option, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byOption["zone.time_zone"]?.line == 2)
        #expect(byOption["webhook.sources[0].secret_file"]?.line == 7)
        #expect(byOption["webhook.sources[1].name"]?.message.contains("used twice") == true)
        #expect(byOption["webhook.sources[1].auth"]?.line == 9)
        #expect(byOption["forwarding.sink.type"]?.line == 13)
    }

    /// The sink section is one case per sink type: another sink's option is refused, not ignored.
    @Test func anOptionOfAnotherSinkIsRefusedAtItsLine() {
        let found = issues("""
            forwarding:
              sink:
                type: file
                url: https://routing.example.cn/v1/events
            """)
        #expect(found.first?.line == 4, "\(found)")
        #expect(found.first?.message.contains("unknown option \"url\"") == true, "\(found)")
    }

    @Test func brokenYAMLIsReportedWithItsPosition() {
        let found = issues("webhook:\n  sources: [\n")
        #expect(found.count == 1)
        #expect(found.first?.line != nil)
    }

    @Test func localeAcknowledgementsAndTheSMTPSectionAreCheckedAtTheirLines() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ack-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "imap\n".write(to: directory.appendingPathComponent("imap"), atomically: true, encoding: .utf8)
        try "Subject: 已受理\n\n案件号 {case_tokn}\n".write(to: directory.appendingPathComponent("ack.txt"), atomically: true, encoding: .utf8)
        let mailbox = """
            email:
              sources:
                - name: service
                  url: imaps://mail.example.cn
                  username: intake
                  password_file: \(directory.path)/imap
                  acknowledge: true
            """
        let withoutSMTP = Dictionary(issues("zone:\n  locale: fr\n" + mailbox).map { ($0.option, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(withoutSMTP["zone.locale"]?.line == 2)
        #expect(withoutSMTP["zone.locale"]?.message.contains("zh-CN or en") == true)
        #expect(withoutSMTP["email.sources[0].acknowledge"]?.line == 9)
        #expect(withoutSMTP["email.sources[0].acknowledge"]?.message.contains("smtp:") == true)

        let found = Dictionary(issues(mailbox + """

            smtp:
              url: smtp://smtp.example.cn:587
              tls: none
              username: intake
              from: not-an-address
              template: \(directory.path)/ack.txt
              max_per_address_per_hour: 0
            """).map { ($0.option, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(found["email.sources[0].acknowledge"] == nil, "an smtp: section is there")
        #expect(found["smtp.tls"]?.message.contains("loopback only") == true && found["smtp.tls"]?.line == 10)
        #expect(found["smtp.from"]?.line == 12)
        #expect(found["smtp.password_file"] != nil, "a username needs its password file")
        #expect(found["smtp.max_per_address_per_hour"]?.line == 14)

        try "smtp secret\n".write(to: directory.appendingPathComponent("smtp"), atomically: true, encoding: .utf8)
        let badTemplate = issues(mailbox + """

            smtp:
              url: smtps://smtp.example.cn
              username: intake
              password_file: \(directory.path)/smtp
              from: qiye-fuwu@zone.gov.cn
              template: \(directory.path)/ack.txt
            webhook:
              enabled: false
            """)
        #expect(badTemplate.map(\.option) == ["smtp.template"])
        #expect(badTemplate.first?.message.contains("ack.txt:3: unknown placeholder {case_tokn}") == true, "\(badTemplate)")

        try "Subject: 已受理：{subject}\n\n案件号 {case_token}\n".write(to: directory.appendingPathComponent("ack.txt"), atomically: true, encoding: .utf8)
        let loaded = try ConfigurationLoader.load(yaml: mailbox + """

            smtp:
              url: smtps://smtp.example.cn
              username: intake
              password_file: \(directory.path)/smtp
              from: qiye-fuwu@zone.gov.cn
              template: \(directory.path)/ack.txt
            webhook:
              enabled: false
            """, file: "ok.yaml", environment: [:])
        #expect(loaded.locale == .zhCN, "zh-CN by default")
        #expect(loaded.acknowledgements?.smtp.password == "smtp secret")
        #expect(loaded.acknowledgements?.smtp.tls == .implicit)
        #expect(loaded.emailSources.first?.intake.acknowledge == true)
    }

    @Test func secretsAreReadFromCredentialFilesWithTheTrailingNewlineDropped() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "s3cret\n".write(to: directory.appendingPathComponent("webhook-portal"), atomically: true, encoding: .utf8)
        let loaded = try ConfigurationLoader.load(yaml: """
            webhook:
              sources:
                - name: portal
                  secret_file: ${CREDENTIALS_DIRECTORY}/webhook-portal
            """, file: "x.yaml", environment: ["CREDENTIALS_DIRECTORY": directory.path])
        #expect(loaded.webhookSources.first?.secret == Data("s3cret".utf8))
    }
}

@Suite struct ConfigurationEnvironmentTests {
    @Test func anUnsetVariableInASecretPathIsReported() {
        do {
            _ = try ConfigurationLoader.load(yaml: """
                webhook:
                  sources:
                    - name: portal
                      secret_file: ${CREDENTIALS_DIRECTORY}/webhook-portal
                """, file: "x.yaml", environment: [:])
            Issue.record("an unset variable was accepted")
        } catch let error as ConfigurationError {
            #expect(error.issues.count == 1)
            #expect(error.issues.first?.line == 4)
            #expect(error.issues.first?.message.contains("${CREDENTIALS_DIRECTORY} is not set") == true)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
