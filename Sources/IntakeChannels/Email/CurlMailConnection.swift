import CCurl

/// What every mail connection through libcurl sets (IMAP in, SMTP out): TLS required unless
/// the configuration says plain (loopback only), the peer's certificate and host name checked
/// against the CA bundle, time limits, and no signals (libcurl runs on our threads).
enum CurlMailConnection {
    static func configure(_ handle: UnsafeMutableRawPointer, plain: Bool, caFile: String?, timeoutMillis: Int, connectTimeoutMillis: Int) {
        intake_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(plain ? CURLUSESSL_NONE.rawValue : CURLUSESSL_ALL.rawValue))
        intake_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        intake_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { intake_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        intake_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMillis)
        intake_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMillis)
        intake_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
    }
}
