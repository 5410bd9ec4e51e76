import CCurl
import Foundation

/// Sends one message over SMTP through libcurl (`smtps://` implicit TLS, `smtp://` with
/// STARTTLS required, or plain `smtp://` on loopback for tests). Blocking: call it from a
/// dedicated queue. A fresh connection per message: acknowledgements are few.
public struct SMTPClient: Sendable {
    public struct Configuration: Sendable, Hashable {
        public enum TLS: String, Sendable, Hashable { case implicit, starttls, none }
        public var url: String
        public var tls: TLS
        public var username: String?
        public var password: String?
        public var caFile: String?
        public var timeoutMillis: Int
        public var connectTimeoutMillis: Int

        public init(
            url: String, tls: TLS, username: String? = nil, password: String? = nil, caFile: String? = nil,
            timeoutMillis: Int = 30_000, connectTimeoutMillis: Int = 10_000
        ) {
            self.url = url
            self.tls = tls
            self.username = username
            self.password = password
            self.caFile = caFile
            self.timeoutMillis = timeoutMillis
            self.connectTimeoutMillis = connectTimeoutMillis
        }
    }

    /// A send that did not go through: libcurl's code and message, and whether the server
    /// refused it for good (a 5xx answer to the sender or the recipient).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var code: Int
        public var message: String
        public var permanent: Bool
        public var description: String { "SMTP error \(code): \(message)" }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Sends `message` (CRLF lines, headers and body) from `sender` to `recipient` (bare addresses).
    public func send(_ message: Data, from sender: String, to recipient: String) throws(Failure) {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else { throw Failure(code: -1, message: "curl_easy_init failed", permanent: false) }
        defer { curl_easy_cleanup(handle) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        errorBuffer[0] = 0
        let body = SMTPBody(message)
        let context = Unmanaged.passUnretained(body).toOpaque()
        let recipients: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients) }

        intake_curl_setopt_string(handle, CURLOPT_URL, configuration.url)
        intake_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        CurlMailConnection.configure(
            handle, plain: configuration.tls == .none, caFile: configuration.caFile, timeoutMillis: configuration.timeoutMillis,
            connectTimeoutMillis: configuration.connectTimeoutMillis)
        if let username = configuration.username { intake_curl_setopt_string(handle, CURLOPT_USERNAME, username) }
        if let password = configuration.password { intake_curl_setopt_string(handle, CURLOPT_PASSWORD, password) }
        intake_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        intake_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(sender)>")
        intake_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        intake_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        intake_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count))
        intake_curl_setopt_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
            let body = Unmanaged<SMTPBody>.fromOpaque(context!).takeUnretainedValue()
            return body.read(into: buffer, capacity: size * count)
        }
        intake_curl_setopt_pointer(handle, CURLOPT_READDATA, context)
        let code = curl_easy_perform(handle)
        guard code != CURLE_OK else { return }
        var status = 0
        intake_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let detail = String(cString: errorBuffer)
        throw Failure(
            code: Int(code.rawValue), message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
            permanent: (500..<600).contains(status) && code != CURLE_LOGIN_DENIED)
    }
}

/// The message bytes libcurl reads as it uploads.
private final class SMTPBody {
    let bytes: [UInt8]
    var offset = 0

    init(_ data: Data) {
        bytes = Array(data)
    }

    func read(into buffer: UnsafeMutablePointer<CChar>?, capacity: Int) -> Int {
        guard let buffer else { return 0 }
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
