import ArgumentParser
import IntakeDaemon
import Logging

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every enabled channel and the forwarder until SIGTERM.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let loaded = try loadOrExplain(options.config)
        Telemetry.bootstrap(logLevel: loaded.logLevel, format: loaded.settings.log.format)
        try await IntakeServer(configuration: loaded, logger: Logger(label: "intake")).run()
    }
}

/// Loads the configuration or prints every issue with its line and exits 1.
func loadOrExplain(_ path: String) throws -> LoadedConfiguration {
    do {
        return try ConfigurationLoader.load(path: path)
    } catch let error as ConfigurationError {
        var standardError = StandardError()
        print(error.description, to: &standardError)
        throw ExitCode.failure
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleOutput.writeToStandardError(string)
    }
}
