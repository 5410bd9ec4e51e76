import Foundation
import IntakeCore

/// The `smtp:` section: how acknowledgements leave (email sources with `acknowledge: true`).
/// Decoded and checked here; the daemon reads the password file, expands paths and loads the
/// template.
public struct SMTPConfiguration: Sendable, Hashable, Codable {
    /// `smtps://host:465` (implicit TLS), `smtp://host:587` with `tls: starttls`, or plain
    /// `smtp://` with `tls: none` (loopback only).
    public var url: String
    /// `implicit`, `starttls` or `none`.
    public var tls = "implicit"
    public var username: String?
    public var passwordFile: String?
    /// The sender's address (`From:` and the envelope), e.g. `service@zone.gov.cn`.
    public var from: String
    /// The sender's display name, e.g. `区营商环境服务中心`.
    public var fromName: String?
    public var caFile: String?
    /// The acknowledgement's words: `channels/acknowledgement.zh-CN.txt`.
    public var template: String
    /// At most this many acknowledgements to one address in an hour; the rest are traced as skipped.
    public var maxPerAddressPerHour = 5
    public var timeoutMillis = 30_000
    public var connectTimeoutMillis = 10_000
    /// The wait after a first failed attempt; doubled each time (with jitter) up to `retry_max_secs`.
    public var retryInitialSecs = 30.0
    public var retryMaxSecs = 3600.0
    /// Attempts before an acknowledgement is given up (traced `acknowledgement_failed`).
    public var maxAttempts = 12

    public init(url: String, from: String, template: String) {
        self.url = url
        self.from = from
        self.template = template
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, tls, username
        case passwordFile = "password_file"
        case from
        case fromName = "from_name"
        case caFile = "ca_file"
        case template
        case maxPerAddressPerHour = "max_per_address_per_hour"
        case timeoutMillis = "timeout_millis"
        case connectTimeoutMillis = "connect_timeout_millis"
        case retryInitialSecs = "retry_initial_secs"
        case retryMaxSecs = "retry_max_secs"
        case maxAttempts = "max_attempts"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decode(String.self, forKey: .url)
        tls = try container.value(.tls, default: tls)
        username = try container.decodeIfPresent(String.self, forKey: .username)
        passwordFile = try container.decodeIfPresent(String.self, forKey: .passwordFile)
        from = try container.decode(String.self, forKey: .from)
        fromName = try container.decodeIfPresent(String.self, forKey: .fromName)
        caFile = try container.decodeIfPresent(String.self, forKey: .caFile)
        template = try container.decode(String.self, forKey: .template)
        maxPerAddressPerHour = try container.value(.maxPerAddressPerHour, default: maxPerAddressPerHour)
        timeoutMillis = try container.value(.timeoutMillis, default: timeoutMillis)
        connectTimeoutMillis = try container.value(.connectTimeoutMillis, default: connectTimeoutMillis)
        retryInitialSecs = try container.value(.retryInitialSecs, default: retryInitialSecs)
        retryMaxSecs = try container.value(.retryMaxSecs, default: retryMaxSecs)
        maxAttempts = try container.value(.maxAttempts, default: maxAttempts)
    }
}

extension SMTPConfiguration: ConfigurationSection {
    /// The connection's TLS, or nil when `tls` is not one of the three.
    public var tlsMode: SMTPClient.Configuration.TLS? { SMTPClient.Configuration.TLS(rawValue: tls) }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        let scheme = url.split(separator: ":").first.map { $0.lowercased() }
        let host = URL(string: url)?.host
        if let mode = tlsMode {
            if mode == .implicit, scheme != "smtps" {
                report([.key("url")], "tls: implicit needs an smtps:// URL, found \"\(url)\"")
            } else if mode != .implicit, scheme != "smtp" {
                report([.key("url")], "tls: \(tls) needs an smtp:// URL, found \"\(url)\"")
            }
            if mode == .none, let host, !["127.0.0.1", "::1", "localhost"].contains(host) {
                report([.key("tls")], "tls: none is for loopback only; use implicit or starttls for \(host)")
            }
        } else {
            report([.key("tls")], "expected implicit, starttls or none")
        }
        if host == nil { report([.key("url")], "expected smtps://host[:port] or smtp://host[:port]") }
        if !AcknowledgementMail.isSendable(from) { report([.key("from")], "expected an address such as service@example.cn, found \"\(from)\"") }
        if username != nil, passwordFile == nil { report([.key("password_file")], "username is set: name the file that holds the password") }
        if passwordFile != nil, username == nil { report([.key("username")], "password_file is set: name the user it belongs to") }
        Self.positive(maxPerAddressPerHour, "max_per_address_per_hour", report)
        Self.positive(timeoutMillis, "timeout_millis", report)
        Self.positive(connectTimeoutMillis, "connect_timeout_millis", report)
        Self.positive(maxAttempts, "max_attempts", report)
        if retryInitialSecs <= 0 { report([.key("retry_initial_secs")], "must be greater than 0") }
        if retryMaxSecs < retryInitialSecs { report([.key("retry_max_secs")], "must be at least retry_initial_secs") }
    }
}
