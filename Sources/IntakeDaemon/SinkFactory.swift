import Foundation
import IntakeForwarding
import Logging

/// Builds the configured sink.
enum SinkFactory {
    static func make(_ loaded: LoadedConfiguration, logger: Logger) throws -> any Sink {
        let sink = loaded.settings.forwarding.sink
        switch sink.type {
        case "http":
            return HTTPSink(configuration: .init(
                url: sink.url ?? "", secret: loaded.sinkSecret, batchSize: sink.batchSize, concurrency: sink.concurrency,
                timeoutMillis: sink.timeoutMillis, connectTimeoutMillis: sink.connectTimeoutMillis, caFile: sink.caFile,
                clientCertificateFile: sink.clientCertificateFile, clientKeyFile: sink.clientKeyFile))
        case "postgres":
            throw ConfigurationError(issues: [ConfigurationIssue(file: loaded.file, option: "forwarding.sink.type", message: "postgres is not wired yet")])
        default:
            return try FileSink(directory: URL(fileURLWithPath: sink.dir))
        }
    }
}
