/// What `intake check` prints for a valid configuration.
public struct ConfigurationSummary {
    public let text: String

    public init(_ loaded: LoadedConfiguration) {
        let settings = loaded.settings
        var lines = ["\(loaded.file): OK"]
        lines.append("  store     \(settings.store.path) (blobs in \(settings.store.blobDir))")
        if settings.webhook.enabled {
            let sources = loaded.webhookSources.map { "\($0.name) (\($0.method.rawValue))" }.joined(separator: ", ")
            lines.append("  webhook   \(settings.webhook.listenHost):\(settings.webhook.listenPort), sources: \(sources)")
        } else {
            lines.append("  webhook   disabled")
        }
        let sink = settings.forwarding.sink
        let target = switch sink.type {
        case "http": "\(sink.url ?? "?") (batch \(sink.batchSize), concurrency \(sink.concurrency))"
        case "postgres": "\(sink.user)@\(sink.host):\(sink.port)/\(sink.database) table \(sink.table)"
        default: sink.dir
        }
        lines.append("  sink      \(sink.type) → \(target)")
        lines.append("  zone      \(settings.zone.timeZone), area code \(settings.zone.defaultAreaCode)")
        text = lines.joined(separator: "\n")
    }
}
