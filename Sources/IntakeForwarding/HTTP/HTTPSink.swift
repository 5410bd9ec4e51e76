import Crypto
import Foundation
import IntakeStore

/// Delivers events to the routing service over HTTP(S) through libcurl: one POST per event,
/// or a batch per POST when configured, each with `Idempotency-Key` and an
/// `X-Intake-Signature` made as for the webhook (HMAC-SHA256 over `<t>.<body>`).
public final class HTTPSink: Sink {
    public struct Configuration: Sendable {
        public var url: String
        /// The signing secret; no signature header when nil.
        public var secret: Data?
        /// Events per POST; 1 sends each event on its own.
        public var batchSize: Int
        /// Transfers in flight at once (one libcurl handle, one kept-alive connection each).
        public var concurrency: Int
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
        let batches = stride(from: 0, to: events.count, by: max(1, configuration.batchSize)).map {
            Array(events[$0..<min($0 + max(1, configuration.batchSize), events.count)])
        }
        var outcomes = [DeliveryOutcome?](repeating: nil, count: events.count)
        await withTaskGroup(of: (Int, DeliveryOutcome, Int).self) { group in
            var offset = 0
            for batch in batches {
                let start = offset
                offset += batch.count
                group.addTask { (start, await self.post(batch), batch.count) }
            }
            for await (start, outcome, count) in group {
                for index in start..<(start + count) { outcomes[index] = outcome }
            }
        }
        return outcomes.map { $0! }
    }

    private func post(_ batch: [OutboxEvent]) async -> DeliveryOutcome {
        let body: Data
        let key: String
        if configuration.batchSize <= 1, let only = batch.first, batch.count == 1 {
            body = only.payload
            key = only.idempotencyKey
        } else {
            var joined = Data("{\"events\":[".utf8)
            for (index, event) in batch.enumerated() {
                if index > 0 { joined.append(UInt8(ascii: ",")) }
                joined.append(event.payload)
            }
            joined.append(contentsOf: Array("]}".utf8))
            body = joined
            // The same events make the same key, so a retried batch can be discarded as a whole.
            key = "batch-" + SHA256.hash(data: Data(batch.map(\.idempotencyKey).joined(separator: "\n").utf8)).hexString
        }
        var headers = ["Content-Type: application/json", "Idempotency-Key: \(key)", "X-Intake-Event-Count: \(batch.count)", "Expect:"]
        if let secret = configuration.secret {
            let timestamp = Int(Date().timeIntervalSince1970)
            var signed = Data("\(timestamp).".utf8)
            signed.append(body)
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret))
            headers.append("X-Intake-Signature: t=\(timestamp),v1=\(Data(mac).hexEncoded)")
        }
        let request = CurlWorkers.Request(
            url: configuration.url, headers: headers, body: body, timeoutMillis: configuration.timeoutMillis,
            connectTimeoutMillis: configuration.connectTimeoutMillis)
        switch await workers.perform(request) {
        case .success(let response):
            return HTTPOutcome.classify(status: response.status, retryAfter: response.retryAfter, body: response.bodyPrefix)
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
