/// What went wrong talking to the IMAP server, with the command and mailbox it happened on.
public struct IMAPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The configuration cannot work (for example `.implicit` TLS with an `imap://` URL).
        case invalidConfiguration
        /// No connection: refused, unreachable, timed out, TLS handshake or STARTTLS failed.
        case connectionFailed
        /// The server's certificate did not verify against the CA bundle, or not for this host.
        case certificateRejected
        /// The server refused the username or password.
        case loginRejected
        /// The mailbox does not exist (SELECT failed).
        case mailboxNotFound
        /// No message with this UID in the mailbox.
        case messageNotFound(uid: UInt32)
        /// The message is larger than `maxMessageBytes`; it was not downloaded.
        case tooLarge(size: Int, limit: Int)
        /// The server answered the command with NO or BAD.
        case commandRejected
        /// The server's answer could not be understood.
        case unexpectedResponse
    }

    public var kind: Kind
    /// The IMAP command, for example `UID FETCH 42 RFC822.SIZE` (never credentials).
    public var command: String
    public var mailbox: String?
    /// The server URL (no credentials in it).
    public var url: String
    /// libcurl's result code, when libcurl reported the failure.
    public var curlCode: Int?
    /// libcurl's message, or ours.
    public var message: String
    /// The server's last tagged answer, for example `A005 NO [TRYCREATE] Mailbox doesn't exist`.
    public var serverResponse: String?

    public init(
        kind: Kind, command: String, mailbox: String? = nil, url: String, curlCode: Int? = nil,
        message: String, serverResponse: String? = nil
    ) {
        self.kind = kind
        self.command = command
        self.mailbox = mailbox
        self.url = url
        self.curlCode = curlCode
        self.message = message
        self.serverResponse = serverResponse
    }

    public var description: String {
        var text = "IMAP \(kind.summary): \(message); command \(command)"
        if let mailbox { text += " in mailbox \"\(mailbox)\"" }
        text += " at \(url)"
        if let curlCode { text += " (curl error \(curlCode))" }
        if let serverResponse { text += "; server said: \(serverResponse)" }
        return text
    }
}

extension IMAPError.Kind {
    var summary: String {
        switch self {
        case .invalidConfiguration: "invalid configuration"
        case .connectionFailed: "connection failed"
        case .certificateRejected: "certificate rejected"
        case .loginRejected: "login rejected"
        case .mailboxNotFound: "mailbox not found"
        case .messageNotFound(let uid): "message UID \(uid) not found"
        case .tooLarge(let size, let limit): "message too large (\(size) bytes, limit \(limit))"
        case .commandRejected: "command rejected"
        case .unexpectedResponse: "unexpected response"
        }
    }
}
