import Foundation
import IntakeStore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Takes due events from the outbox, hands them to the sink, and records each outcome with
/// the retry policy's decision. Runs until graceful shutdown, finishing the round in flight;
/// what is still pending is delivered after the next start.
public final class OutboxForwarder: Service {
    public struct Configuration: Sendable, Hashable {
        public var batchSize: Int
        /// How often the outbox is read without a wake-up: retries coming due, replays from the CLI.
        public var pollIntervalMillis: Int
        /// Pause after a round, so that a busy outbox is drained in fewer, larger rounds
        /// (one fsync and one transaction each) instead of one round per request.
        public var roundIntervalMillis: Int
        public var retry: RetryPolicy

        public init(batchSize: Int = 256, pollIntervalMillis: Int = 500, roundIntervalMillis: Int = 20, retry: RetryPolicy = RetryPolicy()) {
            self.batchSize = batchSize
            self.pollIntervalMillis = pollIntervalMillis
            self.roundIntervalMillis = roundIntervalMillis
            self.retry = retry
        }
    }

    private let database: IntakeDatabase
    public let sink: any Sink
    private let configuration: Configuration
    private let logger: Logger
    private let metrics: ForwarderMetrics
    private let gaugesUpdatedAt = Mutex(Date.distantPast)
    private let wakeups: AsyncStream<Void>
    private let wakeupContinuation: AsyncStream<Void>.Continuation
    /// Called after every round and idle poll: the daemon's watchdog sees the forwarder alive.
    private let onProgress: @Sendable () -> Void

    public init(
        database: IntakeDatabase, sink: any Sink, configuration: Configuration, logger: Logger,
        onProgress: @escaping @Sendable () -> Void = {}
    ) {
        self.onProgress = onProgress
        self.database = database
        self.sink = sink
        self.configuration = configuration
        self.logger = logger
        self.metrics = ForwarderMetrics(sink: sink.name, logger: logger)
        (wakeups, wakeupContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a round now: new events were committed.
    public func wake() {
        wakeupContinuation.yield()
    }

    public func run() async throws {
        let interval = Duration.milliseconds(configuration.pollIntervalMillis)
        let continuation = wakeupContinuation
        logger.info("forwarder started", metadata: ["intake.sink": "\(sink.name)"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield()
                }
            }
            await withGracefulShutdownHandler {
                continuation.yield()
                for await _ in wakeups {
                    onProgress()
                    await drain()
                    try? await Task.sleep(for: .milliseconds(configuration.roundIntervalMillis))
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            group.cancelAll()
        }
        logger.info("forwarder stopped", metadata: ["intake.sink": "\(sink.name)"])
    }

    private func updateGauges() {
        gaugesUpdatedAt.withLock { $0 = Date() }
        guard let gauges = try? database.outboxGauges() else { return }
        metrics.depth.record(gauges.pending)
        metrics.dead.record(gauges.dead)
    }

    /// Delivers rounds until nothing is due.
    private func drain() async {
        updateGauges()
        while !Task.isShuttingDownGracefully {
            let events: [OutboxEvent]
            do {
                events = try await database.dueEvents(limit: configuration.batchSize)
            } catch {
                logger.error("cannot read the outbox", metadata: ["error": "\(error)"])
                return
            }
            if events.isEmpty { return }
            let attempted = await deliver(events)
            onProgress()
            // Nothing could be sent in the round's time: wait for the next poll, not spin.
            if !attempted { return }
        }
    }

    /// Delivers one round and records its outcomes; false when the sink attempted none of them.
    private func deliver(_ events: [OutboxEvent]) async -> Bool {
        let started = Date()
        let outcomes = await sink.deliver(events)
        let now = Date()
        metrics.roundDuration.recordNanoseconds(Int64(now.timeIntervalSince(started) * 1e9))
        let results = zip(events, outcomes).compactMap { event, outcome in
            configuration.retry.decide(outcome, for: event, now: now).map { (event: event, result: $0) }
        }
        if results.count < events.count { metrics.deferred(events.count - results.count) }
        if results.isEmpty { return false }
        for (event, result) in results { metrics.attempted(event, result, now: now) }
        do {
            try await database.record(results, sink: sink.name, now: now)
            // The gauges count a partial index: once a second is plenty while a backlog drains.
            if now.timeIntervalSince(gaugesUpdatedAt.withLock { $0 }) >= 1 { updateGauges() }
        } catch {
            // The events stay pending and are delivered again: receivers discard repeats by key.
            logger.error("cannot record delivery outcomes", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
        }
        return true
    }
}

/// The forwarder's metrics, created once.
/// What happens to events on their way out, each in one place that logs it and counts it
/// (the trace step is named by `AttemptResult.traceStep`, written with the outcome): an
/// attempt's result, events deferred to the next round, a round's duration, the gauges.
struct ForwarderMetrics: Sendable {
    let sink: String
    let logger: Logger
    let latency: Metrics.Timer
    let roundDuration: Metrics.Timer
    let depth: Gauge
    let dead: Gauge
    /// Made once: creating a counter looks it up in the metrics registry, under a lock.
    private let attempts: [String: Counter]

    init(sink: String, logger: Logger) {
        self.sink = sink
        self.logger = logger
        latency = Metrics.Timer(label: "intake_delivery_latency", dimensions: [("sink", sink)], preferredDisplayUnit: .seconds)
        roundDuration = Metrics.Timer(label: "intake_delivery_round_duration", dimensions: [("sink", sink)], preferredDisplayUnit: .seconds)
        depth = Gauge(label: "intake_outbox_depth")
        dead = Gauge(label: "intake_dead_letters")
        attempts = Dictionary(uniqueKeysWithValues: ["delivered", "retry", "dead_letter"].map { outcome in
            (outcome, Counter(label: "intake_delivery_attempts_total", dimensions: [("sink", sink), ("outcome", outcome)]))
        })
    }

    func attempted(_ event: OutboxEvent, _ result: IntakeDatabase.AttemptResult, now: Date) {
        attempts[result.metricOutcome]?.increment()
        switch result {
        case .delivered:
            latency.recordNanoseconds(Int64(max(0, now.timeIntervalSince(event.queuedAt)) * 1e9))
        case .retryAt(let date, let reason):
            logger.warning("delivery failed, will retry", metadata: [
                "intake.case.id": "\(event.caseID)", "intake.idempotency_key": "\(event.idempotencyKey)",
                "intake.retry_at": "\(date)", "error": "\(reason)",
            ])
        case .deadLetter(let reason):
            logger.error("delivery failed for good, dead-lettered", metadata: [
                "intake.case.id": "\(event.caseID)", "intake.idempotency_key": "\(event.idempotencyKey)", "error": "\(reason)",
            ])
        }
    }

    /// The round's time ran out first (a slow receiver): they stay due, attempts untouched.
    func deferred(_ count: Int) {
        logger.debug("events deferred to the next round", metadata: ["intake.sink": "\(sink)", "intake.events": "\(count)"])
    }
}
