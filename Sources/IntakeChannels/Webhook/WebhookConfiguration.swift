/// Limits and policy of the webhook channel; every value has a default that suits the zone.
public struct WebhookConfiguration: Sendable {
    public var maxBodyBytes: Int
    public var maxAttachmentBytes: Int
    public var maxAttachmentsPerRequest: Int
    public var maxRequestsPerBatch: Int
    public var maxJSONDepth: Int
    public var maxIdempotencyKeyBytes: Int
    /// Sent with 503 when the store cannot take the request now.
    public var retryAfterSecs: Int
    /// One case per demand when a description enumerates several (`CaseDraft.demands`).
    public var splitDemands: Bool

    public init(
        maxBodyBytes: Int = 1 << 20, maxAttachmentBytes: Int = 512 << 10, maxAttachmentsPerRequest: Int = 20,
        maxRequestsPerBatch: Int = 100, maxJSONDepth: Int = 32, maxIdempotencyKeyBytes: Int = 200, retryAfterSecs: Int = 5,
        splitDemands: Bool = false
    ) {
        self.splitDemands = splitDemands
        self.maxBodyBytes = maxBodyBytes
        self.maxAttachmentBytes = maxAttachmentBytes
        self.maxAttachmentsPerRequest = maxAttachmentsPerRequest
        self.maxRequestsPerBatch = maxRequestsPerBatch
        self.maxJSONDepth = maxJSONDepth
        self.maxIdempotencyKeyBytes = maxIdempotencyKeyBytes
        self.retryAfterSecs = retryAfterSecs
    }
}
