import Foundation
import IntakeCore

/// `forwarding.sink` with `type: http`.
public struct HTTPSinkSettings: Sendable, Hashable {
    /// The routing service's endpoint.
    public var url = ""
    /// The HMAC signing secret's file (optional; read by the daemon, which expands `${…}`).
    public var secretFile: String?
    /// Events per POST (1 = one POST per event).
    public var batchSize = 1
    /// Transfers in flight at once, each on a kept-alive connection.
    public var concurrency = 8
    /// The most a transfer, and a whole round of them, takes.
    public var timeoutMillis = 10_000
    public var connectTimeoutMillis = 3_000
    /// CA bundle for the server's certificate; client certificate and key for mutual TLS.
    public var caFile: String?
    public var clientCertificateFile: String?
    public var clientKeyFile: String?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, url
        case secretFile = "secret_file"
        case batchSize = "batch_size"
        case concurrency
        case timeoutMillis = "timeout_millis"
        case connectTimeoutMillis = "connect_timeout_millis"
        case caFile = "ca_file"
        case clientCertificateFile = "client_certificate_file"
        case clientKeyFile = "client_key_file"
    }

    /// The sink's configuration, with the secret the daemon read.
    public func configuration(secret: Data?) -> HTTPSink.Configuration {
        HTTPSink.Configuration(
            url: url, secret: secret, batchSize: batchSize, concurrency: concurrency, timeoutMillis: timeoutMillis,
            connectTimeoutMillis: connectTimeoutMillis, caFile: caFile, clientCertificateFile: clientCertificateFile,
            clientKeyFile: clientKeyFile)
    }
}

extension HTTPSinkSettings: ConfigurationSection {
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        url = try container.value(.url, default: url)
        secretFile = try container.decodeIfPresent(String.self, forKey: .secretFile)
        batchSize = try container.value(.batchSize, default: batchSize)
        concurrency = try container.value(.concurrency, default: concurrency)
        timeoutMillis = try container.value(.timeoutMillis, default: timeoutMillis)
        connectTimeoutMillis = try container.value(.connectTimeoutMillis, default: connectTimeoutMillis)
        caFile = try container.decodeIfPresent(String.self, forKey: .caFile)
        clientCertificateFile = try container.decodeIfPresent(String.self, forKey: .clientCertificateFile)
        clientKeyFile = try container.decodeIfPresent(String.self, forKey: .clientKeyFile)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        if url.isEmpty {
            report([], "the http sink needs a url")
        } else if !(url.hasPrefix("http://") || url.hasPrefix("https://")) || URL(string: url)?.host == nil {
            report([.key("url")], "expected an http:// or https:// URL, found \"\(url)\"")
        }
        Self.positive(batchSize, "batch_size", report)
        Self.positive(concurrency, "concurrency", report)
        Self.positive(timeoutMillis, "timeout_millis", report)
        for (key, file) in [("ca_file", caFile), ("client_certificate_file", clientCertificateFile), ("client_key_file", clientKeyFile)] {
            if let file, !FileManager.default.isReadableFile(atPath: file) { report([.key(key)], "cannot read \"\(file)\"") }
        }
    }
}
