import IntakeCore
import Foundation
import IntakeChannels
import IntakePipeline
import IntakeStore
import Logging
import Yams

public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigurationIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// A configuration read, checked, and with its secrets loaded: what the daemon runs on.
public struct LoadedConfiguration: Sendable {
    public var file: String
    public var settings: IntakeConfiguration
    public var timeZone: TimeZone
    /// `zone.locale`: the language of operators' reports and requesters' acknowledgements.
    public var locale: OperatorLocale
    public var logLevel: Logger.Level
    public var webhookSources: [SourceAuthenticator.Source]
    /// The sink's secret: the HTTP signing key or the PostgreSQL password.
    public var sinkSecret: Data?
    /// Hotline sources with their paths expanded and mappings loaded.
    public var hotlineSources: [HotlineSource] = []

    public struct HotlineSource: Sendable {
        public var name: String
        public var spool: SpoolDirectory.Settings
        public var mapping: HotlineMapping
        public var settings: HotlineIngestor.Settings
        public var rescanIntervalMillis: Int
    }

    /// The taxonomy and working calendar, when configured.
    public var classifier: Classifier?
    public var calendar: WorkingCalendar = .weekendsOnly

    /// The normaliser every channel uses: zone, phone area code, classification, deadlines.
    public var normalizer: CaseNormalizer {
        CaseNormalizer(
            timeZone: timeZone, defaultAreaCode: settings.zone.defaultAreaCode, classifier: classifier, calendar: calendar,
            dedup: dedupPolicy)
    }

    /// Deduplication's thresholds and window, or nil when `dedup.enabled` is false.
    public var dedupPolicy: DedupPolicy? { settings.dedup.activePolicy }

    /// Email sources with their passwords read.
    public var emailSources: [EmailSource] = []
    /// The `smtp:` section with its password read and template loaded, when it is configured.
    public var acknowledgements: AcknowledgementSender.Settings?

    public struct EmailSource: Sendable {
        public var name: String
        public var poller: MailboxPoller.Settings
        public var intake: EmailIntake.Settings
        public var pollIntervalSecs: Double
    }

    /// The hotline source called `name`.
    public func hotlineSource(_ name: String) throws -> HotlineSource {
        guard let source = hotlineSources.first(where: { $0.name == name }) else {
            let known = hotlineSources.map(\.name)
            throw ConfigurationError(issues: [ConfigurationIssue(
                file: file, option: "hotline.sources",
                message: "no hotline source \"\(name)\"" + (known.isEmpty ? "; none is configured" : "; configured: \(known.joined(separator: ", "))"))])
        }
        return source
    }
}

public enum ConfigurationLoader {
    /// Reads and checks `path`; every problem found is reported, each with its line.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LoadedConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(issues: [ConfigurationIssue(file: path, option: "", message: "cannot read: \(error.localizedDescription)")])
        }
        return try load(yaml: text, file: path, environment: environment)
    }

    public static func load(yaml text: String, file: String, environment: [String: String]) throws -> LoadedConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigurationError(issues: [issue(for: error, file: file)])
        }
        let settings: IntakeConfiguration
        do {
            settings = root == nil ? IntakeConfiguration() : try YAMLDecoder().decode(IntakeConfiguration.self, from: root!)
        } catch let error as DecodingError {
            throw ConfigurationError(issues: [issue(for: error, file: file, root: root)])
        }
        var validator = ConfigurationValidator(file: file, root: root, environment: environment)
        let loaded = validator.validate(settings)
        guard validator.issues.isEmpty, let loaded else { throw ConfigurationError(issues: validator.issues) }
        return loaded
    }

    static func issue(for error: YamlError, file: String) -> ConfigurationIssue {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let message = [problem, context?.text].compactMap { $0 }.joined(separator: " ")
            return ConfigurationIssue(file: file, line: mark.line, column: mark.column, option: "", message: message)
        default:
            return ConfigurationIssue(file: file, option: "", message: "\(error)")
        }
    }

    static func issue(for error: DecodingError, file: String, root: Node?) -> ConfigurationIssue {
        let path: [any CodingKey]
        let message: String
        switch error {
        case .typeMismatch(let type, let context):
            path = context.codingPath
            message = "expected \(describe(type))"
        case .valueNotFound(let type, let context):
            path = context.codingPath
            message = "expected \(describe(type)), found nothing"
        case .keyNotFound(let key, let context):
            path = context.codingPath
            message = "\"\(key.stringValue)\" is required"
        case .dataCorrupted(let context):
            path = context.codingPath
            message = context.debugDescription
        @unknown default:
            path = []
            message = "\(error)"
        }
        let mark = ConfigurationIssue.locate(path.map { $0.intValue.map(ConfigPathElement.index) ?? .key($0.stringValue) }, in: root)
        return ConfigurationIssue(file: file, line: mark?.line, column: mark?.column, option: dotted(path), message: message)
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)".hasPrefix("Array") ? "a list" : "a mapping"
        }
    }

    static func dotted(_ path: [any CodingKey]) -> String {
        path.reduce("") { text, key in
            if let index = key.intValue { return text + "[\(index)]" }
            return text.isEmpty ? key.stringValue : text + "." + key.stringValue
        }
    }
}

extension ConfigurationIssue {
    /// The line and column of the deepest node on `path` that exists: the value itself, or
    /// the key of an unknown option, or its parent when the option is missing.
    static func locate(_ path: [ConfigPathElement], in root: Node?) -> Mark? {
        guard var node = root else { return nil }
        var mark = node.mark
        for element in path {
            switch (element, node) {
            case (.key(let key), .mapping(let mapping)):
                guard let pair = mapping.first(where: { $0.key.string == key }) else { return mark }
                mark = pair.key.mark
                node = pair.value
                if case .scalar = pair.value { mark = pair.value.mark ?? mark }
            case (.index(let index), .sequence(let sequence)):
                guard index < sequence.count else { return mark }
                node = sequence[index]
                mark = node.mark ?? mark
            default:
                return mark
            }
        }
        return mark
    }
}

extension LoadedConfiguration {
    /// The store, for the admin commands: a second process beside the daemon.
    public func openDatabase() throws -> IntakeDatabase {
        try IntakeDatabase(settings: settings.store)
    }
}
