import IntakeCore
import Foundation
import IntakeChannels
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
            let password = loaded.sinkSecret.map { String(decoding: $0, as: UTF8.self) }
            do {
                return try PostgresSink(
                    configuration: PostgresSinkConfiguration(
                        host: sink.host, port: sink.port, user: sink.user, database: sink.database, password: password,
                        tls: sink.tls == "require" ? .require(caBundlePath: sink.caFile) : .disable,
                        table: sink.table, batch: sink.batch, createTable: sink.createTable,
                        connectTimeoutSecs: Double(sink.connectTimeoutMillis) / 1000, roundTimeoutSecs: Double(sink.timeoutMillis) / 1000),
                    logger: logger)
            } catch {
                throw ConfigurationError(issues: [ConfigurationIssue(file: loaded.file, option: "forwarding.sink", message: error.description)])
            }
        default:
            return try FileSink(directory: URL(fileURLWithPath: sink.dir), layout: FileSink.Layout(rawValue: sink.layout) ?? .perEvent)
        }
    }
}
