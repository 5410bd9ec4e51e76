import CCurl
import Foundation

/// Blocking libcurl transfers on a few dedicated threads, each with its own easy handle so
/// that connections (and TLS sessions) are reused across requests. libcurl blocks; blocking
/// the concurrency pool's threads would stall the daemon. Requests wait in one queue for a
/// free thread; each carries its round's deadline, which bounds its time in the queue too.
final class CurlWorkers: @unchecked Sendable {
    struct Request: Sendable {
        var url: String
        var headers: [String]
        var body: Data
        var timeoutMillis: Int
        var connectTimeoutMillis: Int
        /// The end of the round: the transfer is given at most what is left of it, and is not
        /// started once it has passed.
        var deadline: ContinuousClock.Instant
    }

    struct Response: Sendable {
        var status: Int
        var retryAfter: String?
        /// The first KiB of the body, for dead letters.
        var bodyPrefix: Data
    }

    struct Failure: Error, Sendable, CustomStringConvertible {
        var code: Int
        var message: String
        var description: String { "curl error \(code): \(message)" }

        /// The code of a transfer not started: its deadline passed while it waited for a worker.
        static let deadlinePassed = -2
    }

    struct TLS: Sendable {
        var caFile: String?
        var clientCertificateFile: String?
        var clientKeyFile: String?
    }

    private struct Job {
        let request: Request
        let finish: (Result<Response, Failure>) -> Void
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private let tls: TLS
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [Job] = []
    private var stopped = false

    init(count: Int, tls: TLS) {
        _ = CurlWorkers.globalInit
        self.tls = tls
        for index in 0..<max(1, count) {
            let thread = Thread { self.work() }
            thread.name = "intake-http-\(index)"
            thread.start()
        }
    }

    func perform(_ request: Request) async -> Result<Response, Failure> {
        await withCheckedContinuation { continuation in
            condition.lock()
            guard !stopped else {
                condition.unlock()
                continuation.resume(returning: .failure(Failure(code: -1, message: "HTTP sink is shut down")))
                return
            }
            jobs.append(Job(request: request, finish: { continuation.resume(returning: $0) }))
            condition.signal()
            condition.unlock()
        }
    }

    /// Lets the threads finish the jobs already queued, then end.
    func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        guard let handle = curl_easy_init() else { return }
        defer { curl_easy_cleanup(handle) }
        while true {
            condition.lock()
            while jobs.isEmpty, !stopped { condition.wait() }
            if jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job.finish(transfer(job.request, on: handle))
        }
    }

    private func transfer(_ request: Request, on handle: UnsafeMutableRawPointer) -> Result<Response, Failure> {
        let left = ContinuousClock.now.duration(to: request.deadline).components
        let leftMillis = Int(left.seconds) * 1000 + Int(left.attoseconds / 1_000_000_000_000_000)
        guard leftMillis > 0 else {
            return .failure(Failure(code: Failure.deadlinePassed, message: "not sent: the round's time ran out while it waited for a connection"))
        }
        let timeoutMillis = min(request.timeoutMillis, leftMillis)
        curl_easy_reset(handle)
        let collected = Collected()
        let context = Unmanaged.passUnretained(collected).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        for header in request.headers { headerList = curl_slist_append(headerList, header) }
        defer { curl_slist_free_all(headerList) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code: CURLcode = request.body.withUnsafeBytes { body in
            errorBuffer.withUnsafeMutableBufferPointer { errors in
                intake_curl_setopt_string(handle, CURLOPT_URL, request.url)
                intake_curl_setopt_long(handle, CURLOPT_POST, 1)
                intake_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: body.baseAddress))
                intake_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                intake_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
                intake_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMillis)
                intake_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(request.connectTimeoutMillis, timeoutMillis))
                intake_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                intake_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
                intake_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
                intake_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
                if let caFile = tls.caFile { intake_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
                if let certificate = tls.clientCertificateFile { intake_curl_setopt_string(handle, CURLOPT_SSLCERT, certificate) }
                if let key = tls.clientKeyFile { intake_curl_setopt_string(handle, CURLOPT_SSLKEY, key) }
                intake_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
                intake_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                    let collected = Unmanaged<Collected>.fromOpaque(context!).takeUnretainedValue()
                    let length = size * count
                    let room = max(0, 1024 - collected.body.count)
                    if room > 0, let data { collected.body.append(Data(bytes: data, count: min(room, length))) }
                    return length
                }
                intake_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
                intake_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                    let collected = Unmanaged<Collected>.fromOpaque(context!).takeUnretainedValue()
                    let length = size * count
                    if let data {
                        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                        if line.lowercased().hasPrefix("retry-after:") {
                            collected.retryAfter = line.dropFirst("retry-after:".count).trimmingCharacters(in: .whitespacesAndNewlines)
                        }
                    }
                    return length
                }
                intake_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
                return curl_easy_perform(handle)
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(Failure(code: Int(code.rawValue), message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail))
        }
        var status = 0
        intake_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(Response(status: status, retryAfter: collected.retryAfter, bodyPrefix: collected.body))
    }
}

/// What the callbacks collect during one transfer.
private final class Collected {
    var body = Data()
    var retryAfter: String?
}
