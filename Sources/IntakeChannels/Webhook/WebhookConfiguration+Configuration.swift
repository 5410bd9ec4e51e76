import IntakeCore

/// The `webhook:` section: decoded and checked here, beside the channel.
extension WebhookConfiguration: ConfigurationSection {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled
        case listenHost = "listen_host"
        case listenPort = "listen_port"
        case maxBodyBytes = "max_body_bytes"
        case maxAttachmentBytes = "max_attachment_bytes"
        case maxAttachmentsPerRequest = "max_attachments_per_request"
        case maxRequestsPerBatch = "max_requests_per_batch"
        case signatureToleranceSecs = "signature_tolerance_secs"
        case retryAfterSecs = "retry_after_secs"
        case splitDemands = "split_demands"
        case readTimeoutSecs = "read_timeout_secs"
        case idleTimeoutSecs = "idle_timeout_secs"
        case maxConnections = "max_connections"
        case sources
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        enabled = try container.value(.enabled, default: enabled)
        listenHost = try container.value(.listenHost, default: listenHost)
        listenPort = try container.value(.listenPort, default: listenPort)
        maxBodyBytes = try container.value(.maxBodyBytes, default: maxBodyBytes)
        maxAttachmentBytes = try container.value(.maxAttachmentBytes, default: maxAttachmentBytes)
        maxAttachmentsPerRequest = try container.value(.maxAttachmentsPerRequest, default: maxAttachmentsPerRequest)
        maxRequestsPerBatch = try container.value(.maxRequestsPerBatch, default: maxRequestsPerBatch)
        signatureToleranceSecs = try container.value(.signatureToleranceSecs, default: signatureToleranceSecs)
        retryAfterSecs = try container.value(.retryAfterSecs, default: retryAfterSecs)
        splitDemands = try container.value(.splitDemands, default: splitDemands)
        readTimeoutSecs = try container.value(.readTimeoutSecs, default: readTimeoutSecs)
        idleTimeoutSecs = try container.value(.idleTimeoutSecs, default: idleTimeoutSecs)
        maxConnections = try container.value(.maxConnections, default: maxConnections)
        sources = try container.value(.sources, default: sources)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        Self.positive(maxBodyBytes, "max_body_bytes", report)
        Self.positive(maxAttachmentBytes, "max_attachment_bytes", report)
        Self.positive(maxRequestsPerBatch, "max_requests_per_batch", report)
        Self.positive(signatureToleranceSecs, "signature_tolerance_secs", report)
        Self.positive(readTimeoutSecs, "read_timeout_secs", report)
        Self.positive(idleTimeoutSecs, "idle_timeout_secs", report)
        Self.positive(maxConnections, "max_connections", report)
        if !(0...65535).contains(listenPort) { report([.key("listen_port")], "expected a port from 0 to 65535") }
        if enabled, sources.isEmpty { report([.key("sources")], "the enabled webhook needs at least one source") }
        var names: Set<String> = []
        for (index, source) in sources.enumerated() {
            let path: [ConfigPathElement] = [.key("sources"), .index(index)]
            if source.name.isEmpty || !names.insert(source.name).inserted {
                report(path + [.key("name")], source.name.isEmpty ? "must not be empty" : "\"\(source.name)\" is used twice")
            }
            if source.method == nil { report(path + [.key("auth")], "expected hmac or bearer, found \"\(source.auth)\"") }
        }
    }
}
