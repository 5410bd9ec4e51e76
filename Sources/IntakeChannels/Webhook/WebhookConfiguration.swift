import IntakeCore

/// The webhook: its listener (shared with the visit uploads), its limits and policy, and the
/// calling systems it authenticates. Every option has one default, here; the `webhook:`
/// section of the configuration file decodes into this type (`WebhookConfiguration+Configuration`).
public struct WebhookConfiguration: Sendable, Hashable {
    public var enabled = true
    public var listenHost = "127.0.0.1"
    public var listenPort = 8080
    public var maxBodyBytes = 1 << 20
    public var maxAttachmentBytes = 512 << 10
    public var maxAttachmentsPerRequest = 20
    public var maxRequestsPerBatch = 100
    /// Not an option: deeper JSON is refused (400).
    public var maxJSONDepth = 32
    /// Not an option: a longer `Idempotency-Key` is refused (400).
    public var maxIdempotencyKeyBytes = 200
    /// X-Intake-Signature timestamps older or newer than this are refused (401).
    public var signatureToleranceSecs = 300
    /// Sent with 503 when the store cannot take the request now.
    public var retryAfterSecs = 5
    /// One case per demand when a description enumerates several (`CaseDraft.demands`).
    public var splitDemands = false
    /// A request's head and body must arrive in full within this many seconds of its first
    /// byte (of the connection's opening, for a connection's first request).
    public var readTimeoutSecs = 30
    /// A keep-alive connection with no request for this long is closed.
    public var idleTimeoutSecs = 60
    /// Connections open at once; beyond it the listener stops accepting until one closes.
    public var maxConnections = 4096
    /// The calling systems, each with its way of authenticating.
    public var sources: [SourceConfiguration] = []

    public init() {}
}
