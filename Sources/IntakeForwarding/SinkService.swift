import Logging
import ServiceLifecycle

/// Runs a sink's background work (a connection pool) as its own service. It is placed
/// before the forwarder in the service group, so it starts first and, as a group shuts down
/// in reverse order, stops only after the forwarder's last round has been delivered.
public struct SinkService: Service {
    public let sink: any Sink
    let logger: Logger

    public init(sink: any Sink, logger: Logger) {
        self.sink = sink
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await sink.run()
                // A sink with nothing to run in the background waits for the shutdown like the rest.
                try await gracefulShutdown()
            }
        } catch is CancellationError {
        } catch {
            logger.error("sink stopped", metadata: ["intake.sink": "\(sink.name)", "error": "\(error)"])
            throw error
        }
    }
}
