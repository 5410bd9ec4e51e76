import Foundation
import Synchronization
import IntakeCore
import IntakeStore
import Logging
import Metrics

/// The few typed events every channel emits (inputs received, items admitted with their
/// outcome, inputs refused or ignored). They drive the metrics and the log lines in this one
/// place, with the same names and labels for all four channels (the model is Vector's
/// internal events).
///
/// - `intake_inputs_received_total{channel, source}`: requests, uploads, files, messages;
/// - `intake_admitted_total{channel, source, outcome}`: outcome `created`, `duplicate`,
///   `followup`, `updated` or `repeat`;
/// - `intake_refused_total{channel, source, reason}`; `intake_ignored_total{channel, source}`;
///   `intake_invalid_total{channel, source}` (hotline rows, visits that could not be cases);
/// - `intake_channel_last_success_seconds{channel, source}`.
public struct ChannelEvents: Sendable {
    public let channel: Channel
    public let source: String
    let logger: Logger
    private let received: Counter
    private let outcomes: [String: Counter]
    private let ignoredInputs: Counter
    private let invalidItems: Counter
    private let lastSuccess: Gauge

    public init(channel: Channel, source: String, logger: Logger) {
        self.channel = channel
        self.source = source
        self.logger = logger
        let labels = [("channel", channel.rawValue), ("source", source)]
        received = Counter(label: "intake_inputs_received_total", dimensions: labels)
        outcomes = Dictionary(uniqueKeysWithValues: AdmissionOutcome.statuses.map { status in
            (status, Counter(label: "intake_admitted_total", dimensions: labels + [("outcome", status)]))
        })
        ignoredInputs = Counter(label: "intake_ignored_total", dimensions: labels)
        invalidItems = Counter(label: "intake_invalid_total", dimensions: labels)
        lastSuccess = Gauge(label: "intake_channel_last_success_seconds", dimensions: labels)
    }

    /// An input arrived (a request, an upload, a file, a message).
    public func inputReceived() {
        received.increment()
    }

    /// An input's items were admitted (committed).
    public func admitted(_ results: [AdmissionOutcome]) {
        var counts: [String: Int] = [:]
        for outcome in results { counts[outcome.status, default: 0] += 1 }
        for (status, count) in counts { outcomes[status]?.increment(by: count) }
        lastSuccess.record(Date().timeIntervalSince1970)
        if logger.logLevel <= .debug {
            for outcome in results {
                logger.debug("admitted", metadata: [
                    "intake.channel": "\(channel.rawValue)", "intake.source": "\(source)", "intake.outcome": "\(outcome.status)",
                    "intake.case.id": "\(outcome.caseID ?? "-")",
                ])
            }
        }
    }

    /// An input was refused (it gets an answer saying what and where); `source` is nil when
    /// the refusal came before the source was known (an unauthenticated request).
    public static func refused(
        channel: Channel, source: String?, reason: String, message: String, status: Int? = nil, level: Logger.Level = .notice,
        logger: Logger
    ) {
        let source = source ?? "-"
        Counter(label: "intake_refused_total", dimensions: [("channel", channel.rawValue), ("source", source), ("reason", reason)]).increment()
        var metadata: Logger.Metadata = [
            "intake.channel": "\(channel.rawValue)", "intake.source": "\(source)", "intake.reason": "\(message)",
        ]
        if let status { metadata["http.status"] = "\(status)" }
        logger.log(level: level, "input refused", metadata: metadata)
    }

    /// An input of this source was refused (see the static form).
    public func refused(reason: String, message: String, level: Logger.Level = .notice) {
        Self.refused(channel: channel, source: source, reason: reason, message: message, level: level, logger: logger)
    }

    /// Items of an input were invalid (answered with their errors, and quarantined where the
    /// channel keeps them).
    public func invalid(_ count: Int = 1) {
        invalidItems.increment(by: count)
    }

    /// An input was taken without a case (an auto-reply, a bounce).
    public func ignored() {
        ignoredInputs.increment()
        lastSuccess.record(Date().timeIntervalSince1970)
    }
}

/// `ChannelEvents` per source of one channel, made on first use (sources come and go with
/// a reload).
final class ChannelEventsBySource: Sendable {
    let channel: Channel
    let logger: Logger
    private let made = Mutex<[String: ChannelEvents]>([:])

    init(channel: Channel, logger: Logger) {
        self.channel = channel
        self.logger = logger
    }

    subscript(source: String) -> ChannelEvents {
        made.withLock { made in
            if let events = made[source] { return events }
            let events = ChannelEvents(channel: channel, source: source, logger: logger)
            made[source] = events
            return events
        }
    }
}
