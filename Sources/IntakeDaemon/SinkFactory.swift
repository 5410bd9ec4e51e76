import IntakeCore
import Foundation
import IntakeChannels
import IntakeForwarding
import Logging

/// Builds the configured sink.
enum SinkFactory {
    static func make(_ loaded: LoadedConfiguration, logger: Logger) throws -> any Sink {
        switch loaded.settings.forwarding.sink {
        case .http(let http):
            return HTTPSink(configuration: http.configuration(secret: loaded.sinkSecret))
        case .postgres(let postgres):
            let password = loaded.sinkSecret.map { String(decoding: $0, as: UTF8.self) }
            do {
                return try PostgresSink(configuration: postgres.configuration(password: password), logger: logger)
            } catch {
                throw ConfigurationError(issues: [ConfigurationIssue(file: loaded.file, option: "forwarding.sink", message: error.description)])
            }
        case .unknown(let type):
            throw ConfigurationError(issues: [ConfigurationIssue(file: loaded.file, option: "forwarding.sink.type", message: "unknown sink \"\(type)\"")])
        case .file(let file):
            return try FileSink(directory: URL(fileURLWithPath: file.dir), layout: FileSink.Layout(rawValue: file.layout) ?? .perEvent)
        }
    }
}
