import Foundation
import Logging
import Metrics
import Prometheus
import Synchronization

/// Process-wide logging and metrics: swift-log and swift-metrics allow one bootstrap per process.
public enum Telemetry {
    /// The registry `/metrics` exports.
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = Mutex(false)

    /// Logs to stderr, one line per event with its metadata and the syslog priority prefix
    /// journald reads (`JournalLogHandler`), stamped with the time unless stderr is the
    /// journal (`$JOURNAL_STREAM`), which stamps lines itself; metrics into `registry`.
    public static func bootstrap(logLevel: Logger.Level, format: String = "logfmt") {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let format: JournalLogHandler.Format = format == "json" ? .json : .logfmt
        let timestamps = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] == nil
        LoggingSystem.bootstrap { label in
            var handler = JournalLogHandler(label: label, format: format, includeTimestamp: timestamps)
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
