import Foundation
import Hummingbird
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
public struct IntakeServer: Sendable {
    public let configuration: LoadedConfiguration
    public let database: IntakeDatabase
    let forwarder: OutboxForwarder
    let webhook: WebhookIntake
    let hotline: [HotlineService]
    let email: [EmailService]
    let logger: Logger

    public init(configuration: LoadedConfiguration, logger: Logger) throws {
        let settings = configuration.settings
        self.configuration = configuration
        self.logger = logger
        database = try IntakeDatabase(path: settings.store.path, busyTimeoutSecs: settings.store.busyTimeoutSecs, cacheMiB: settings.store.cacheMiB)
        let sink = try SinkFactory.make(configuration, logger: logger)
        let retry = settings.forwarding.retry
        forwarder = OutboxForwarder(
            database: database, sink: sink,
            configuration: .init(
                batchSize: settings.forwarding.batchSize, pollIntervalMillis: settings.forwarding.pollIntervalMillis,
                roundIntervalMillis: settings.forwarding.roundIntervalMillis,
                retry: RetryPolicy(
                    initialBackoffSecs: retry.initialBackoffSecs, maxBackoffSecs: retry.maxBackoffSecs,
                    maxAttempts: retry.maxAttempts, maxAgeSecs: retry.maxAgeSecs)),
            logger: logger)
        let forwarder = self.forwarder
        let hook = settings.webhook
        let blobs = try BlobStore(root: URL(fileURLWithPath: settings.store.blobDir))
        let normalizer = CaseNormalizer(timeZone: configuration.timeZone, defaultAreaCode: settings.zone.defaultAreaCode)
        let database = self.database
        hotline = settings.hotline.enabled ? configuration.hotlineSources.map { source in
            HotlineService(
                source: source,
                ingestor: HotlineIngestor(
                    settings: source.settings, mapping: source.mapping, normalizer: normalizer, database: database, blobs: blobs,
                    logger: logger),
                database: database, timestamps: Timestamp(timeZone: configuration.timeZone), logger: logger,
                onQueued: { forwarder.wake() })
        } : []
        email = settings.email.enabled ? configuration.emailSources.map { source in
            EmailService(
                source: source,
                poller: MailboxPoller(
                    settings: source.poller,
                    intake: EmailIntake(settings: source.intake, normalizer: normalizer, database: database, blobs: blobs, logger: logger),
                    database: database, logger: logger),
                logger: logger, onQueued: { forwarder.wake() })
        } : []
        webhook = WebhookIntake(
            configuration: WebhookConfiguration(
                maxBodyBytes: hook.maxBodyBytes, maxAttachmentBytes: hook.maxAttachmentBytes,
                maxAttachmentsPerRequest: hook.maxAttachmentsPerRequest, maxRequestsPerBatch: hook.maxRequestsPerBatch,
                retryAfterSecs: hook.retryAfterSecs),
            database: database, blobs: blobs,
            authenticator: WebhookAuthenticator(sources: configuration.webhookSources, toleranceSecs: hook.signatureToleranceSecs),
            normalizer: normalizer,
            logger: logger, onQueued: { forwarder.wake() })
    }

    /// Runs until SIGTERM or SIGINT, then drains and returns.
    /// - Parameter onListening: told the bound port once the HTTP server is up (port 0 picks one).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let settings = configuration.settings
        var services: [any Service] = [forwarder]
        let logger = self.logger
        if settings.webhook.enabled {
            let router = Router()
            router.middlewares.add(MetricsMiddleware())
            WebhookRoutes(intake: webhook).add(to: router)
            AdminRoutes(database: database).add(to: router)
            let app = Application(
                router: router,
                configuration: .init(address: .hostname(settings.webhook.listenHost, port: settings.webhook.listenPort), serverName: "intake"),
                onServerRunning: { channel in
                    let port = channel.localAddress?.port ?? settings.webhook.listenPort
                    logger.info("webhook listening", metadata: ["intake.listen": "\(settings.webhook.listenHost):\(port)"])
                    await onListening(port)
                },
                logger: logger)
            services.append(app)
        }
        // Last in, first out: the mailboxes and hotline spools stop before the webhook, the forwarder last of all.
        services += hotline as [any Service]
        services += email as [any Service]
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
