import Logging
import Metrics
import Prometheus
import Synchronization

/// Process-wide logging and metrics: swift-log and swift-metrics allow one bootstrap per process.
public enum Telemetry {
    /// The registry `/metrics` exports.
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = Mutex(false)

    /// Logs to stderr, one line per event with its metadata; metrics into `registry`.
    public static func bootstrap(logLevel: Logger.Level) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// The Prometheus text exposition of every metric.
    public static func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
