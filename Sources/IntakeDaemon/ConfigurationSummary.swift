/// What `intake check` prints for a valid configuration.
public struct ConfigurationSummary {
    public let text: String

    public init(_ loaded: LoadedConfiguration) {
        let settings = loaded.settings
        var lines = ["\(loaded.file): OK"]
        lines.append("  store     \(settings.store.path) (blobs in \(settings.store.blobDir))")
        let retention = settings.retention
        lines.append(
            "  retention raw inputs \(retention.rawInputsDays) d, delivered events \(retention.deliveredEventsDays) d, "
                + "trace \(retention.traceDays) d, resolved quarantine \(retention.resolvedQuarantineDays) d, "
                + (retention.sweepIntervalSecs > 0 ? "swept every \(retention.sweepIntervalSecs) s" : "sweeper off"))
        if settings.webhook.enabled {
            let sources = loaded.webhookSources.map { "\($0.name) (\($0.method.rawValue))" }.joined(separator: ", ")
            lines.append("  webhook   \(settings.webhook.listenHost):\(settings.webhook.listenPort), sources: \(sources)")
        } else {
            lines.append("  webhook   disabled")
        }
        if settings.admin.enabled {
            let users = (try? ConsoleUsersFile(path: settings.admin.usersFile).read())?.count ?? 0
            lines.append("  admin     http://\(settings.admin.listenHost):\(settings.admin.listenPort), \(users) user(s) in \(settings.admin.usersFile)"
                + (users == 0 ? " (add one: intake admin user add NAME --role admin)" : ""))
        }
        let sink = settings.forwarding.sink
        let target = switch sink {
        case .http(let http): "\(http.url) (batch \(http.batchSize), concurrency \(http.concurrency))"
        case .postgres(let postgres): "\(postgres.user)@\(postgres.host):\(postgres.port)/\(postgres.database) table \(postgres.table)"
        case .file(let file): file.dir
        case .unknown(let type): type
        }
        lines.append("  sink      \(sink.type) → \(target)")
        lines.append("  zone      \(settings.zone.timeZone), area code \(settings.zone.defaultAreaCode)")
        text = lines.joined(separator: "\n")
    }
}
