import Foundation
import IntakeChannels
import IntakeCore
import IntakePipeline
import Logging
import ServiceLifecycle
import UnixSignals

/// What a reload can replace while the daemon runs, and the reload itself.
///
/// Live: the hotline mappings, the taxonomy, the holiday file, the dedup settings and the zone
/// (through the normaliser every channel reads per request, file or message), and the
/// webhook's sources with their secrets (rotation without a restart). Everything else —
/// listeners, store, limits, spool and mailbox lists, the sink — is read at start only: a
/// reload that changes it logs that a restart is needed and applies the rest.
final class LiveSettings: Sendable {
    let file: String
    let normalizer: Live<CaseNormalizer>
    let authenticator: Live<SourceAuthenticator>
    /// Per hotline source name.
    let hotlineMappings: [String: Live<HotlineMapping>]
    private let current: Live<LoadedConfiguration>

    init(_ configuration: LoadedConfiguration) {
        file = configuration.file
        normalizer = Live(configuration.normalizer)
        authenticator = Live(Self.authenticator(configuration))
        hotlineMappings = Dictionary(uniqueKeysWithValues: configuration.hotlineSources.map { ($0.name, Live($0.mapping)) })
        current = Live(configuration)
    }

    static func authenticator(_ configuration: LoadedConfiguration) -> SourceAuthenticator {
        SourceAuthenticator(sources: configuration.webhookSources, toleranceSecs: configuration.settings.webhook.signatureToleranceSecs)
    }

    enum Outcome: Sendable {
        /// Applied; `needsRestart` names the sections whose changes wait for a restart.
        case applied(needsRestart: [String])
        /// The new file is invalid: nothing changed.
        case refused(ConfigurationError)
    }

    /// Reads and checks the file again; applies it only when all of it is valid.
    func reload(environment: [String: String] = ProcessInfo.processInfo.environment) -> Outcome {
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigurationLoader.load(path: file, environment: environment)
        } catch let error as ConfigurationError {
            return .refused(error)
        } catch {
            return .refused(ConfigurationError(issues: [ConfigurationIssue(file: file, option: "-", message: "\(error)")]))
        }
        let old = current.value
        normalizer.replace(with: loaded.normalizer)
        authenticator.replace(with: Self.authenticator(loaded))
        for source in loaded.hotlineSources { hotlineMappings[source.name]?.replace(with: source.mapping) }
        current.replace(with: loaded)
        return .applied(needsRestart: Self.restartOnly(old.settings, loaded.settings))
    }

    /// Sections that changed but are read at start only.
    static func restartOnly(_ old: IntakeConfiguration, _ new: IntakeConfiguration) -> [String] {
        var webhookOld = old.webhook, webhookNew = new.webhook
        webhookOld.sources = []
        webhookNew.sources = []
        var hotlineOld = old.hotline, hotlineNew = new.hotline
        for index in hotlineOld.sources.indices { hotlineOld.sources[index].mapping = "" }
        for index in hotlineNew.sources.indices { hotlineNew.sources[index].mapping = "" }
        let pairs: [(String, any Encodable, any Encodable)] = [
            ("store", old.store, new.store), ("log", old.log, new.log),
            ("hotline", hotlineOld, hotlineNew), ("email", old.email, new.email), ("visits", old.visits, new.visits),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let changed = pairs.compactMap { name, before, after in
            (try? encoder.encode(before)) == (try? encoder.encode(after)) ? nil : name
        }
        return (webhookOld == webhookNew ? [] : ["webhook"]) + changed + (old.forwarding == new.forwarding ? [] : ["forwarding"])
    }
}

/// SIGHUP: `RELOADING=1`, the reload (`LiveSettings.reload`), then `READY=1` whether it was
/// applied or refused — a refused reload leaves the daemon running on the old settings.
struct ReloadService: Service {
    let live: LiveSettings
    let notifier: SystemdNotifier?
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            try? notifier?.reloading()
            switch live.reload() {
            case .applied(let needsRestart):
                logger.notice("configuration reloaded", metadata: [
                    "intake.config": "\(live.file)",
                    "intake.restart_needed_for": "\(needsRestart.isEmpty ? "-" : needsRestart.joined(separator: ","))",
                ])
                if !needsRestart.isEmpty {
                    logger.warning("changes that need a restart were not applied", metadata: ["intake.sections": "\(needsRestart.joined(separator: ","))"])
                }
            case .refused(let error):
                for issue in error.issues {
                    logger.error("reload refused, old configuration kept", metadata: ["intake.issue": "\(issue.description)"])
                }
            }
            try? notifier?.ready()
        }
    }
}
