import CCurl
import Foundation

/// What one libcurl transfer brought back.
struct IMAPAnswer {
    /// Every response line, libcurl's own SELECT and LOGIN included (the header callback).
    var all: [Substring]
    /// The untagged lines of our custom command (the write callback).
    var untagged: [Substring]
    /// The write callback's bytes: the message, for a fetch.
    var body: Data
}

/// Where the C callbacks put what they receive; reused across transfers.
final class IMAPReceived {
    var header = Data()
    var body = Data()
    var bodyLimit = Int.max
    /// Set when the body would outgrow `bodyLimit`: the bytes it would have reached.
    var exceededAt: Int?

    func reset(bodyLimit: Int, expectedBytes: Int) {
        header = Data()
        body = Data()
        body.reserveCapacity(expectedBytes)
        self.bodyLimit = bodyLimit
        exceededAt = nil
    }
}

extension IMAPClient {
    /// Options that hold for every transfer of this handle.
    func configureHandle(_ handle: UnsafeMutableRawPointer) {
        let context = Unmanaged.passUnretained(received).toOpaque()
        intake_curl_setopt_string(handle, CURLOPT_USERNAME, configuration.username)
        intake_curl_setopt_string(handle, CURLOPT_PASSWORD, configuration.password)
        intake_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "imap,imaps")
        CurlMailConnection.configure(
            handle, plain: configuration.tls == .none, caFile: configuration.caFile, timeoutMillis: configuration.timeoutMillis,
            connectTimeoutMillis: configuration.connectTimeoutMillis)
        // 512 KiB, not the default 16 KiB: fewer reads per message, and libcurl silently cuts
        // answer lines longer than half the buffer (see `IMAPClient.searchWindow`).
        intake_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, 512 * 1024)
        intake_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        intake_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        intake_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let received = Unmanaged<IMAPReceived>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard received.body.count + length <= received.bodyLimit else {
                received.exceededAt = received.body.count + length
                return 0  // libcurl aborts the transfer with CURLE_WRITE_ERROR
            }
            if let data { received.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length) }
            return length
        }
        intake_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        intake_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let received = Unmanaged<IMAPReceived>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let data { received.header.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length) }
            return length
        }
        intake_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
    }

    /// One transfer: `command` as a custom request (nil: fetch the message `uid` with libcurl's
    /// own `UID FETCH … BODY[]`, which streams the literal to the write callback; see
    /// `IMAPClient.fetch` for why that is not `BODY.PEEK[]`), in `mailbox` (libcurl SELECTs it
    /// first unless it is selected on this connection already) or outside any mailbox.
    func perform(
        _ command: String?, in mailbox: String?, uid: UInt32? = nil, bodyLimit: Int = .max, expectedBytes: Int = 0
    ) throws -> IMAPAnswer {
        let shownCommand = command ?? "UID FETCH \(uid ?? 0) BODY[]"
        guard let handle else {
            throw IMAPError(kind: .connectionFailed, command: shownCommand, mailbox: mailbox, url: baseURL, message: "the client is closed")
        }
        var url = baseURL + "/"
        if let mailbox { url += IMAPMailboxName.urlPath(IMAPMailboxName.encode(mailbox)) }
        if let uid { url += ";UID=\(uid)" }
        received.reset(bodyLimit: bodyLimit, expectedBytes: expectedBytes)
        errorBuffer[0] = 0
        intake_curl_setopt_string(handle, CURLOPT_URL, url)
        intake_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, command)
        let code = curl_easy_perform(handle)
        let all = IMAPResponse.lines(received.header)
        guard code == CURLE_OK else {
            // libcurl may have dropped the connection and will SELECT afresh (read-write) on
            // the next: choose the mailbox and its mode again before trusting either.
            selectedMailbox = nil
            throw failure(code, command: shownCommand, mailbox: mailbox, lines: all)
        }
        return IMAPAnswer(all: all, untagged: command == nil ? [] : IMAPResponse.lines(received.body), body: received.body)
    }

    private func failure(_ code: CURLcode, command: String, mailbox: String?, lines: [Substring]) -> IMAPError {
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: IMAPError.Kind
        switch code {
        case CURLE_LOGIN_DENIED where detail.hasPrefix("Select failed"):
            // libcurl reports a refused SELECT as a denied login.
            kind = .mailboxNotFound
        case CURLE_LOGIN_DENIED:
            kind = .loginRejected
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            kind = .certificateRejected
        case CURLE_QUOTE_ERROR:
            kind = .commandRejected
        case CURLE_WRITE_ERROR where received.exceededAt != nil:
            // The size check let it through, but more came: at least this much.
            kind = .tooLarge(size: received.exceededAt ?? 0, limit: received.bodyLimit)
        case CURLE_WEIRD_SERVER_REPLY, CURLE_REMOTE_FILE_NOT_FOUND:
            kind = .unexpectedResponse
        default:
            kind = .connectionFailed
        }
        return IMAPError(
            kind: kind, command: command, mailbox: mailbox, url: baseURL, curlCode: Int(code.rawValue), message: message,
            serverResponse: IMAPResponse.lastTagged(lines))
    }
}
