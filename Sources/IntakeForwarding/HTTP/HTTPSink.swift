import Crypto
import Foundation
import IntakeStore

/// Delivers events to the routing service over HTTP(S) through libcurl: one POST per event,
/// or a batch per POST when configured, each signed with an `X-Intake-Signature` made as for
/// the webhook (HMAC-SHA256 over `<t>.<body>`).
///
/// The de-duplication unit for a receiver is the event: its `idempotency_key` (the
/// `Idempotency-Key` header of a single-event POST, and inside every event of a batch body).
/// A batch POST carries no key of its own: the events a retry groups together differ from
/// one attempt to the next, so a batch-wide key would promise what it cannot keep.
///
/// A round takes at most about `timeoutMillis`: it has one deadline, each transfer gets what
/// is left of it, and a transfer no worker took before the deadline is not sent (deferred to
/// the next round, no attempt counted). A batch the receiver refuses for good is split in
/// halves and sent again, down to the refused events, so that only they are dead-lettered.
public final class HTTPSink: Sink {
    public struct Configuration: Sendable {
        public var url: String
        /// The signing secret; no signature header when nil.
        public var secret: Data?
        /// Events per POST; 1 sends each event on its own.
        public var batchSize: Int
        /// Transfers in flight at once (one libcurl handle, one kept-alive connection each).
        public var concurrency: Int
        /// The most a transfer, and a whole round of them, takes.
        public var timeoutMillis: Int
        public var connectTimeoutMillis: Int
        public var caFile: String?
        public var clientCertificateFile: String?
        public var clientKeyFile: String?

        public init(
            url: String, secret: Data? = nil, batchSize: Int = 1, concurrency: Int = 8, timeoutMillis: Int = 10_000,
            connectTimeoutMillis: Int = 3_000, caFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil
        ) {
            self.url = url
            self.secret = secret
            self.batchSize = batchSize
            self.concurrency = concurrency
            self.timeoutMillis = timeoutMillis
            self.connectTimeoutMillis = connectTimeoutMillis
            self.caFile = caFile
            self.clientCertificateFile = clientCertificateFile
            self.clientKeyFile = clientKeyFile
        }
    }

    public let name = "http"
    public let configuration: Configuration
    private let workers: CurlWorkers

    public init(configuration: Configuration) {
        self.configuration = configuration
        workers = CurlWorkers(
            count: configuration.concurrency,
            tls: .init(
                caFile: configuration.caFile, clientCertificateFile: configuration.clientCertificateFile,
                clientKeyFile: configuration.clientKeyFile))
    }

    deinit {
        workers.shutdown()
    }

    public func deliver(_ events: [OutboxEvent]) async -> [DeliveryOutcome] {
        let deadline = ContinuousClock.now + .milliseconds(configuration.timeoutMillis)
        let size = max(1, configuration.batchSize)
        var outcomes = [DeliveryOutcome?](repeating: nil, count: events.count)
        await withTaskGroup(of: (Int, [DeliveryOutcome]).self) { group in
            for start in stride(from: 0, to: events.count, by: size) {
                let batch = Array(events[start..<min(start + size, events.count)])
                group.addTask { (start, await self.send(batch, by: deadline)) }
            }
            for await (start, batchOutcomes) in group {
                for (offset, outcome) in batchOutcomes.enumerated() { outcomes[start + offset] = outcome }
            }
        }
        return outcomes.map { $0! }
    }

    /// Posts `batch`; when the receiver refuses it for good (a 4xx other than 408 and 429), posts
    /// its halves the same way, so that the refused events are found and the others delivered.
    private func send(_ batch: [OutboxEvent], by deadline: ContinuousClock.Instant) async -> [DeliveryOutcome] {
        let outcome = await post(batch, by: deadline)
        guard case .reject = outcome, batch.count > 1 else { return Array(repeating: outcome, count: batch.count) }
        let middle = batch.count / 2
        async let first = send(Array(batch[..<middle]), by: deadline)
        async let second = send(Array(batch[middle...]), by: deadline)
        return await first + second
    }

    private func post(_ batch: [OutboxEvent], by deadline: ContinuousClock.Instant) async -> DeliveryOutcome {
        let body: Data
        var headers = ["Content-Type: application/json", "X-Intake-Event-Count: \(batch.count)", "Expect:"]
        if configuration.batchSize <= 1, let only = batch.first, batch.count == 1 {
            body = only.payload
            headers.append("Idempotency-Key: \(only.idempotencyKey)")
        } else {
            var joined = Data("{\"events\":[".utf8)
            for (index, event) in batch.enumerated() {
                if index > 0 { joined.append(UInt8(ascii: ",")) }
                joined.append(event.payload)
            }
            joined.append(contentsOf: Array("]}".utf8))
            body = joined
        }
        if let secret = configuration.secret {
            let timestamp = Int(Date().timeIntervalSince1970)
            var signed = Data("\(timestamp).".utf8)
            signed.append(body)
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret))
            headers.append("X-Intake-Signature: t=\(timestamp),v1=\(Data(mac).hexEncoded)")
        }
        let request = CurlWorkers.Request(
            url: configuration.url, headers: headers, body: body, timeoutMillis: configuration.timeoutMillis,
            connectTimeoutMillis: configuration.connectTimeoutMillis, deadline: deadline)
        switch await workers.perform(request) {
        case .success(let response):
            return HTTPOutcome.classify(status: response.status, retryAfter: response.retryAfter, body: response.bodyPrefix)
        case .failure(let failure) where failure.code == CurlWorkers.Failure.deadlinePassed:
            return .deferred(reason: failure.message)
        case .failure(let failure):
            return .retry(reason: failure.description, notBefore: nil)
        }
    }
}

extension Data {
    var hexEncoded: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
