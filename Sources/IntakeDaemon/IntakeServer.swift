import Foundation
import Hummingbird
import HummingbirdCore
import IntakeChannels
import IntakeCore
import IntakeForwarding
import IntakePipeline
import IntakeStore
import Logging
import NIOCore
import ServiceLifecycle

/// The daemon: every enabled channel and the forwarder as services in one service group.
///
/// The group starts them in order and shuts them down in reverse: the channels stop taking
/// input first, the forwarder finishes its round last, then the store closes.
///
/// A class, not a struct: as a ~1 KiB struct held across `run()`'s await in the caller's
/// async frame, the debug build over-released a field of the configuration at exit (a
/// segfault after "intake stopped"; seen with Swift 6.3.1, not under ASan or -O).
public final class IntakeServer: Sendable {
    public let configuration: LoadedConfiguration
    public let database: IntakeDatabase
    let forwarder: OutboxForwarder
    let webhook: WebhookIntake
    let visits: VisitIntake
    let spools: [SpoolService]
    let email: [EmailService]
    /// Sends email acknowledgements, when a source asks for them.
    let acknowledgements: AcknowledgementService?
    let retention: RetentionService?
    /// The admin console, on its own listener, when `admin.enabled`.
    let console: AdminConsole?
    let logger: Logger
    /// What SIGHUP replaces: normaliser (taxonomy, holidays, dedup), mappings, webhook secrets.
    let live: LiveSettings
    let heartbeats: Heartbeats
    /// Parts that must be up before `READY=1`.
    let parts: [String]

    public init(configuration: LoadedConfiguration, logger: Logger) throws {
        let settings = configuration.settings
        self.configuration = configuration
        self.logger = logger
        let database = try IntakeDatabase(settings: settings.store)
        self.database = database
        let live = LiveSettings(configuration)
        self.live = live
        let heartbeats = Heartbeats()
        self.heartbeats = heartbeats
        var parts = ["forwarder"]
        let sink = try SinkFactory.make(configuration, logger: logger)
        let forwarder = OutboxForwarder(
            database: database, sink: sink, configuration: settings.forwarding.forwarder,
            logger: logger, onProgress: { heartbeats.beat("forwarder") })
        self.forwarder = forwarder
        let blobs = try BlobStore(root: URL(fileURLWithPath: settings.store.blobDir))
        retention = settings.retention.sweepIntervalSecs > 0
            ? RetentionService(settings: settings.retention, database: database, blobs: blobs, logger: logger) : nil
        let normalizer = live.normalizer
        let timestamps = Timestamp(timeZone: configuration.timeZone)
        var spools: [SpoolService] = []
        if settings.hotline.enabled {
            for source in configuration.hotlineSources {
                let part = "hotline:\(source.name)"
                parts.append(part)
                let mapping = live.hotlineMappings[source.name] ?? Live(source.mapping)
                spools.append(SpoolService(
                    channel: .hotline, name: source.name, spoolSettings: source.spool, rescanIntervalMillis: source.rescanIntervalMillis,
                    ingest: { file, name, report, result in
                        // The mapping and normaliser of the moment: a reload applies from the next file.
                        let ingestor = HotlineIngestor(
                            settings: source.settings, mapping: mapping.value, normalizer: normalizer.value, database: database, blobs: blobs,
                            logger: logger)
                        return try await ingestor.ingest(file: file, name: name, report: report, result: result, shouldStop: {
                            heartbeats.beat(part)
                            return Task.isShuttingDownGracefully
                        }).spoolOutcome
                    },
                    database: database, timestamps: timestamps, logger: logger, onQueued: { forwarder.wake() },
                    heartbeat: { heartbeats.beat(part) }, catalogue: configuration.locale.catalogue))
            }
        }
        let visitSettings = settings.visits
        let visitDecoder = VisitDecoder(configuration: visitSettings)
        let visits = VisitIntake(
            settings: visitSettings,
            decoder: visitDecoder, database: database, blobs: blobs,
            authenticator: live.authenticator, normalizer: normalizer, logger: logger, locale: configuration.locale,
            onQueued: { forwarder.wake() })
        self.visits = visits
        if visitSettings.enabled, let directory = visitSettings.spoolDir {
            parts.append("visit:drop")
            let files = VisitFileIngestor(intake: visits, decoder: visitDecoder, blobs: blobs)
            spools.append(SpoolService(
                channel: .visit, name: "drop",
                spoolSettings: SpoolDirectory.Settings(directory: URL(fileURLWithPath: directory), settleSecs: visitSettings.settleSecs),
                rescanIntervalMillis: visitSettings.rescanIntervalMillis,
                ingest: { file, name, report, _ in try await files.ingest(file: file, name: name, report: report) },
                database: database, timestamps: timestamps, logger: logger, onQueued: { forwarder.wake() },
                heartbeat: { heartbeats.beat("visit:drop") }, catalogue: configuration.locale.catalogue))
        }
        self.spools = spools
        let acknowledging = settings.email.enabled && configuration.emailSources.contains { $0.intake.acknowledge }
        let acknowledgements = configuration.acknowledgements.flatMap { ackSettings in
            acknowledging
                ? AcknowledgementService(sender: AcknowledgementSender(settings: ackSettings, database: database, logger: logger), logger: logger)
                : nil
        }
        self.acknowledgements = acknowledgements
        email = settings.email.enabled ? configuration.emailSources.map { source in
            let part = "email:\(source.name)"
            parts.append(part)
            return EmailService(
                source: source,
                poller: MailboxPoller(
                    settings: source.poller,
                    intake: EmailIntake(settings: source.intake, normalizer: normalizer, database: database, blobs: blobs, logger: logger),
                    database: database, logger: logger),
                logger: logger,
                onQueued: {
                    forwarder.wake()
                    acknowledgements?.wake()
                },
                heartbeat: { heartbeats.beat(part) })
        } : []
        if settings.webhook.enabled { parts.append("webhook") }
        console = settings.admin.enabled
            ? try AdminConsole(configuration: configuration, database: database, blobs: blobs, logger: logger, onQueued: { forwarder.wake() })
            : nil
        if console != nil { parts.append("admin") }
        self.parts = parts
        webhook = WebhookIntake(
            configuration: settings.webhook,
            database: database, blobs: blobs,
            authenticator: live.authenticator, normalizer: normalizer,
            logger: logger, onQueued: { forwarder.wake() })
    }

    /// Runs until SIGTERM or SIGINT, then drains and returns.
    /// - Parameter onListening: told the bound port once the HTTP server is up (port 0 picks one).
    /// - Parameter onConsoleListening: told the admin console's port once it is up.
    public func run(
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }, onConsoleListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let settings = configuration.settings
        // The sink first: it starts before the forwarder and stops after its last round.
        var services: [any Service] = [SinkService(sink: forwarder.sink, logger: logger), forwarder]
        let logger = self.logger
        if settings.webhook.enabled {
            let router = Router()
            router.middlewares.add(MetricsMiddleware())
            WebhookRoutes(intake: webhook).add(to: router)
            if settings.visits.enabled { VisitRoutes(intake: visits).add(to: router) }
            AdminRoutes(database: database).add(to: router)
            let app = Application(
                router: router,
                server: DeadlineHTTP1Channel.builder(readTimeoutSecs: settings.webhook.readTimeoutSecs, idleTimeoutSecs: settings.webhook.idleTimeoutSecs),
                configuration: .init(
                    address: .hostname(settings.webhook.listenHost, port: settings.webhook.listenPort), serverName: "intake",
                    availableConnectionsDelegate: MaximumAvailableConnections(settings.webhook.maxConnections, logger: logger)),
                onServerRunning: { [heartbeats] channel in
                    heartbeats.up("webhook")
                    let port = channel.localAddress?.port ?? settings.webhook.listenPort
                    logger.info("webhook listening", metadata: ["intake.listen": "\(settings.webhook.listenHost):\(port)"])
                    await onListening(port)
                },
                logger: logger)
            services.append(app)
        }
        if let console {
            let admin = settings.admin
            let app = Application(
                router: console.router(),
                // The webhook's deadlines: a slow client cannot hold the console's listener either.
                server: DeadlineHTTP1Channel.builder(readTimeoutSecs: settings.webhook.readTimeoutSecs, idleTimeoutSecs: settings.webhook.idleTimeoutSecs),
                configuration: .init(address: .hostname(admin.listenHost, port: admin.listenPort), serverName: "intake-admin"),
                onServerRunning: { [heartbeats] channel in
                    heartbeats.up("admin")
                    let port = channel.localAddress?.port ?? admin.listenPort
                    logger.info("admin console listening", metadata: ["intake.listen": "\(admin.listenHost):\(port)"])
                    await onConsoleListening(port)
                },
                logger: logger)
            services.append(app)
        }
        // Last in, first out: the mailboxes and hotline spools stop before the webhook, the forwarder last of all;
        // acknowledgements after the mailboxes that queue them.
        if let acknowledgements { services.append(acknowledgements) }
        services += spools as [any Service]
        services += email as [any Service]
        if let retention { services.append(retention) }
        // Told of shutdown first (last in the list): STOPPING=1 goes out before anything stops.
        let notifier = SystemdNotifier()
        services.append(ReloadService(live: live, notifier: notifier, logger: logger))
        services.append(SystemdService(
            notifier: notifier, heartbeats: heartbeats, parts: parts, database: database, timeZone: configuration.timeZone, logger: logger))
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        logger.info("intake started", metadata: ["intake.config": "\(configuration.file)"])
        defer { database.close() }
        try await group.run()
        logger.info("intake stopped")
    }
}
