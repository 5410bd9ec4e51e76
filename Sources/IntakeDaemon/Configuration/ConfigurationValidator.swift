import IntakeCore
import Foundation
import IntakeChannels
import IntakeForwarding
import IntakePipeline
import Logging
import Yams

/// Checks what a decoder cannot: values in range, zones and levels that exist, secret files
/// that can be read. Collects every issue rather than stopping at the first.
struct ConfigurationValidator {
    let file: String
    let root: Node?
    let environment: [String: String]
    var issues: [ConfigurationIssue] = []

    mutating func validate(_ settings: IntakeConfiguration) -> LoadedConfiguration? {
        let timeZone = TimeZone(identifier: settings.zone.timeZone)
        if timeZone == nil { report([.key("zone"), .key("time_zone")], "unknown time zone \"\(settings.zone.timeZone)\"") }
        let areaCode = settings.zone.defaultAreaCode
        if !(2...4).contains(areaCode.count) || !areaCode.allSatisfy(\.isASCII) || !areaCode.allSatisfy(\.isNumber) {
            report([.key("zone"), .key("default_area_code")], "expected 2 to 4 digits such as \"022\", found \"\(areaCode)\"")
        }
        let locale = OperatorLocale(rawValue: settings.zone.locale)
        if locale == nil {
            report([.key("zone"), .key("locale")], "expected \(OperatorLocale.allCases.map(\.rawValue).joined(separator: " or ")), found \"\(settings.zone.locale)\"")
        }
        settings.store.validate { path, message in report([.key("store")] + path, message) }
        if !["logfmt", "json"].contains(settings.log.format) {
            report([.key("log"), .key("format")], "expected logfmt or json, found \"\(settings.log.format)\"")
        }
        let level = Logger.Level(rawValue: settings.log.level)
        if level == nil {
            report([.key("log"), .key("level")], "expected one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let webhook = settings.webhook
        webhook.validate { path, message in report([.key("webhook")] + path, message) }
        var sources: [SourceAuthenticator.Source] = []
        for (index, source) in webhook.sources.enumerated() {
            let path: [ConfigPathElement] = [.key("webhook"), .key("sources"), .index(index)]
            guard let method = source.method else { continue }
            if let secret = readSecret(source.secretFile, at: path + [.key("secret_file")]) {
                sources.append(.init(name: source.name, method: method, secret: secret))
            }
        }
        let hotline = validateHotline(settings.hotline, timeZone: timeZone, locale: locale ?? .zhCN)
        let smtp = validateSMTP(settings.smtp)
        let email = validateEmail(settings.email, smtp: settings.smtp)
        var classifier: Classifier?
        var calendar = WorkingCalendar.weekendsOnly
        if let path = settings.classification.taxonomy.flatMap({ expand($0, at: [.key("classification"), .key("taxonomy")]) }) {
            do {
                let taxonomy = try Taxonomy.load(path: path)
                var examples: [ClassificationExample] = []
                if let examplesPath = settings.classification.examples.flatMap({ expand($0, at: [.key("classification"), .key("examples")]) }) {
                    examples = try ClassificationExample.load(path: examplesPath, taxonomy: taxonomy)
                }
                classifier = Classifier(taxonomy: taxonomy, examples: examples)
            } catch {
                issues += error.issues
            }
        }
        if let path = settings.classification.holidays.flatMap({ expand($0, at: [.key("classification"), .key("holidays")]) }) {
            do {
                calendar = try WorkingCalendar.load(path: path)
            } catch {
                issues += error.issues
            }
        }
        settings.dedup.validate { path, message in report([.key("dedup")] + path, message) }
        settings.retention.validate { path, message in report([.key("retention")] + path, message) }
        let visits = settings.visits
        let visitPath: [ConfigPathElement] = [.key("visits")]
        visits.validate { path, message in report(visitPath + path, message) }
        let visitSpool = visits.spoolDir.flatMap { expand($0, at: visitPath + [.key("spool_dir")]) }
        let forwarding = settings.forwarding
        let sinkPath: [ConfigPathElement] = [.key("forwarding"), .key("sink")]
        var sinkSecret: Data?
        forwarding.validate { path, message in report([.key("forwarding")] + path, message) }
        switch forwarding.sink {
        case .file, .unknown: break
        case .http(let http):
            if let file = http.secretFile { sinkSecret = readSecret(file, at: sinkPath + [.key("secret_file")]) }
        case .postgres(let postgres):
            if let file = postgres.passwordFile { sinkSecret = readSecret(file, at: sinkPath + [.key("password_file")]) }
        }
        let admin = settings.admin
        admin.validate { path, message in report([.key("admin")] + path, message) }
        let usersFile = expand(admin.usersFile, at: [.key("admin"), .key("users_file")])
        if admin.enabled, let usersFile { validateUsers(usersFile) }
        if admin.enabled, settings.webhook.enabled, admin.listenPort != 0, admin.listenPort == settings.webhook.listenPort,
           admin.listenHost == settings.webhook.listenHost {
            report([.key("admin"), .key("listen_port")], "the console needs a listener of its own; \(admin.listenPort) is the webhook's")
        }
        guard issues.isEmpty, let timeZone, let level, let locale else { return nil }
        var settings = settings
        if let usersFile { settings.admin.usersFile = usersFile }
        guard let storePath = expand(settings.store.path, at: [.key("store"), .key("path")]),
              let blobDir = expand(settings.store.blobDir, at: [.key("store"), .key("blob_dir")])
        else { return nil }
        settings.store.path = storePath
        settings.store.blobDir = blobDir
        if case .file(var file) = settings.forwarding.sink {
            guard let dir = expand(file.dir, at: [.key("forwarding"), .key("sink"), .key("dir")]) else { return nil }
            file.dir = dir
            settings.forwarding.sink = .file(file)
        }
        settings.visits.spoolDir = visitSpool
        return LoadedConfiguration(
            file: file, settings: settings, timeZone: timeZone, locale: locale, logLevel: level, webhookSources: sources, sinkSecret: sinkSecret,
            hotlineSources: hotline, classifier: classifier, calendar: calendar, emailSources: email, acknowledgements: smtp)
    }

    /// The `smtp:` section: its values, its password file and its template (with the template's line in the message).
    private mutating func validateSMTP(_ smtp: SMTPConfiguration?) -> AcknowledgementSender.Settings? {
        guard let smtp else { return nil }
        let path: [ConfigPathElement] = [.key("smtp")]
        smtp.validate { relative, message in report(path + relative, message) }
        var password: String?
        if let file = smtp.passwordFile {
            password = readSecret(file, at: path + [.key("password_file")]).map { String(decoding: $0, as: UTF8.self) }
            if password == nil { return nil }
        }
        var caFile: String?
        if let file = smtp.caFile {
            caFile = expand(file, at: path + [.key("ca_file")])
            if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { report(path + [.key("ca_file")], "cannot read \"\(caFile)\"") }
        }
        guard let templatePath = expand(smtp.template, at: path + [.key("template")]) else { return nil }
        let template: AcknowledgementTemplate
        do {
            template = try AcknowledgementTemplate.load(path: templatePath)
        } catch {
            report(path + [.key("template")], error.description)
            return nil
        }
        guard let tls = smtp.tlsMode else { return nil }
        return AcknowledgementSender.Settings(
            smtp: SMTPClient.Configuration(
                url: smtp.url, tls: tls, username: smtp.username, password: password, caFile: caFile,
                timeoutMillis: smtp.timeoutMillis, connectTimeoutMillis: smtp.connectTimeoutMillis),
            from: .init(address: smtp.from, name: smtp.fromName), template: template,
            retryInitialSecs: smtp.retryInitialSecs, retryMaxSecs: smtp.retryMaxSecs, maxAttempts: smtp.maxAttempts)
    }

    private mutating func validateEmail(_ email: EmailChannelConfiguration, smtp: SMTPConfiguration?) -> [LoadedConfiguration.EmailSource] {
        var loaded: [LoadedConfiguration.EmailSource] = []
        var names: Set<String> = []
        for (index, source) in email.sources.enumerated() {
            let path: [ConfigPathElement] = [.key("email"), .key("sources"), .index(index)]
            source.validate { relative, message in report(path + relative, message) }
            if !source.name.isEmpty, !names.insert(source.name).inserted { report(path + [.key("name")], "\"\(source.name)\" is used twice") }
            let tls = source.tlsMode
            let after = source.afterCommit
            if let file = source.caFile, let expanded = expand(file, at: path + [.key("ca_file")]),
               !FileManager.default.isReadableFile(atPath: expanded) {
                report(path + [.key("ca_file")], "cannot read \"\(expanded)\"")
            }
            if source.acknowledge, smtp == nil {
                report(path + [.key("acknowledge")], "acknowledgements need an smtp: section (url, from, template)")
            }
            let password = readSecret(source.passwordFile, at: path + [.key("password_file")])
            guard let tls, let after, let password else { continue }
            loaded.append(LoadedConfiguration.EmailSource(
                name: source.name,
                poller: MailboxPoller.Settings(
                    imap: IMAPClient.Configuration(
                        url: source.url, username: source.username, password: String(decoding: password, as: UTF8.self), tls: tls,
                        caFile: source.caFile.flatMap { expand($0, at: path + [.key("ca_file")]) },
                        timeoutMillis: source.timeoutMillis, connectTimeoutMillis: source.connectTimeoutMillis,
                        maxMessageBytes: source.maxMessageBytes),
                    mailboxes: source.mailboxes, after: after, pollIntervalSecs: source.pollIntervalSecs),
                intake: EmailIntake.Settings(
                    source: source.name, maxAttachmentBytes: source.maxAttachmentBytes, splitDemands: source.splitDemands,
                    acknowledge: source.acknowledge, acknowledgementsPerHour: smtp?.maxPerAddressPerHour ?? 5),
                pollIntervalSecs: source.pollIntervalSecs))
        }
        return loaded
    }

    private mutating func validateHotline(
        _ hotline: HotlineChannelConfiguration, timeZone: TimeZone?, locale: OperatorLocale
    ) -> [LoadedConfiguration.HotlineSource] {
        var loaded: [LoadedConfiguration.HotlineSource] = []
        var names: Set<String> = []
        for (index, source) in hotline.sources.enumerated() {
            let path: [ConfigPathElement] = [.key("hotline"), .key("sources"), .index(index)]
            source.validate { relative, message in report(path + relative, message) }
            if !source.name.isEmpty, !names.insert(source.name).inserted { report(path + [.key("name")], "\"\(source.name)\" is used twice") }
            let spool = expand(source.spoolDir, at: path + [.key("spool_dir")])
            let archive = source.archiveDir.flatMap { expand($0, at: path + [.key("archive_dir")]) }
            let quarantine = source.quarantineDir.flatMap { expand($0, at: path + [.key("quarantine_dir")]) }
            var mapping: HotlineMapping?
            if let mappingPath = expand(source.mapping, at: path + [.key("mapping")]) {
                do {
                    mapping = try HotlineMapping.load(path: mappingPath)
                } catch {
                    issues += error.issues
                }
            }
            guard let spool, let mapping, let delimiter = source.delimiterByte else { continue }
            var settings = source.ingestorSettings(delimiter: delimiter)
            settings.locale = locale
            loaded.append(LoadedConfiguration.HotlineSource(
                name: source.name,
                spool: SpoolDirectory.Settings(
                    directory: URL(fileURLWithPath: spool), archive: archive.map { URL(fileURLWithPath: $0) },
                    quarantine: quarantine.map { URL(fileURLWithPath: $0) }, settleSecs: source.settleSecs),
                mapping: mapping,
                settings: settings,
                rescanIntervalMillis: source.rescanIntervalMillis))
        }
        return loaded
    }

    /// The console's users file, when it exists (`intake admin user add` writes the first
    /// one): each line that is not a user is an issue at its line.
    private mutating func validateUsers(_ path: String) {
        do {
            _ = try ConsoleUsersFile(path: path).read()
        } catch let problem as ConsoleUsersFile.Problem {
            issues.append(ConfigurationIssue(
                file: path, line: problem.line > 0 ? problem.line : nil, column: problem.line > 0 ? 1 : nil, option: "admin.users_file", message: problem.message))
        } catch {
            issues.append(ConfigurationIssue(file: path, option: "admin.users_file", message: "\(error)"))
        }
    }

    /// A secret is the file's content less one trailing newline; it must not be empty.
    private mutating func readSecret(_ given: String, at path: [ConfigPathElement]) -> Data? {
        guard let expanded = expand(given, at: path) else { return nil }
        guard var data = FileManager.default.contents(atPath: expanded) else {
            report(path, "cannot read secret file \"\(expanded)\"")
            return nil
        }
        if data.last == UInt8(ascii: "\n") { data.removeLast() }
        if data.last == UInt8(ascii: "\r") { data.removeLast() }
        if data.isEmpty { report(path, "secret file \"\(expanded)\" is empty") }
        return data.isEmpty ? nil : data
    }

    /// `${NAME}` from the environment (`${CREDENTIALS_DIRECTORY}` under systemd); nil, with
    /// the issue reported, when a variable is not set.
    private mutating func expand(_ text: String, at path: [ConfigPathElement]) -> String? {
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
            let name = String(rest[start.upperBound..<end])
            if let value = environment[name] {
                out += value
            } else {
                report(path, "${\(name)} is not set in the environment" + (name == "CREDENTIALS_DIRECTORY" ? " (systemd sets it for LoadCredential=)" : ""))
                return nil
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    private mutating func positive(_ value: Int, _ path: [ConfigPathElement]) {
        if value <= 0 { report(path, "must be greater than 0") }
    }

    private mutating func report(_ path: [ConfigPathElement], _ message: String) {
        let mark = ConfigurationIssue.locate(path, in: root)
        issues.append(ConfigurationIssue(file: file, line: mark?.line, column: mark?.column, option: dotted(path), message: message))
    }

    private func dotted(_ path: [ConfigPathElement]) -> String {
        path.reduce("") { text, element in
            switch element {
            case .key(let key): text.isEmpty ? key : text + "." + key
            case .index(let index): text + "[\(index)]"
            }
        }
    }
}
