import Foundation

/// The acknowledgement as a message on the wire: headers the requester cannot inject into (CR,
/// LF and other controls removed from every value; non-ASCII as RFC 2047 encoded words), a
/// base64 UTF-8 body, `Auto-Submitted: auto-replied` so that their auto-responder stays quiet,
/// and `In-Reply-To`/`References` so that it threads under their message.
public struct AcknowledgementMail: Sendable, Hashable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    public var body: String
    /// The requester's Message-ID (with or without angle brackets), when it had one.
    public var inReplyTo: String?
    /// Our own Message-ID for this mail, `<…@domain>`.
    public var messageID: String
    public var date: Date

    /// A mailbox: an address and an optional display name.
    public struct MailAddress: Sendable, Hashable {
        public var address: String
        public var name: String?

        public init(address: String, name: String? = nil) {
            self.address = address
            self.name = name
        }
    }

    public init(from: MailAddress, to: MailAddress, subject: String, body: String, inReplyTo: String?, messageID: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.inReplyTo = inReplyTo
        self.messageID = messageID
        self.date = date
    }

    /// The message: CRLF line ends, headers first.
    public func rendered() -> Data {
        var lines = [
            "From: " + Self.mailbox(from),
            "To: " + Self.mailbox(to),
            "Subject: " + Self.encodedWords(Self.headerText(subject), prefixLength: 9),
            "Date: " + Self.rfc5322Date(date),
            "Message-ID: " + Self.angle(messageID),
        ]
        if let inReplyTo = inReplyTo.map(Self.angle), inReplyTo.count > 2 {
            lines.append("In-Reply-To: " + inReplyTo)
            lines.append("References: " + inReplyTo)
        }
        lines += [
            "Auto-Submitted: auto-replied",
            "X-Auto-Response-Suppress: All",
            "Precedence: auto_reply",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
        ]
        var text = lines.joined(separator: "\r\n") + "\r\n\r\n"
        let normalized = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        text += Data(normalized.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return Data((text + "\r\n").utf8)
    }

    /// Whether `address` is one a mail may be sent to: `local@domain`, printable ASCII, no
    /// spaces, angle brackets, quotes or controls, at most 254 bytes.
    public static func isSendable(_ address: String) -> Bool {
        guard address.utf8.count <= 254, address.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        guard !address.contains(where: { "<>()[]\\,;:\"".contains($0) }) else { return false }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }

    /// A header value as one line: CR, LF, tabs and other controls become spaces, runs of
    /// spaces one, so that nothing in it can start a header of its own.
    static func headerText(_ text: String) -> String {
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" ? " " : scalar
        }))
        return cleaned.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// `name <address>`, the name encoded when it is not plain ASCII or has specials.
    static func mailbox(_ mailbox: MailAddress) -> String {
        let address = "<\(headerText(mailbox.address).filter { $0 != " " && $0 != "<" && $0 != ">" })>"
        guard let name = mailbox.name.map(headerText), !name.isEmpty else { return address }
        let plain = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == " " || $0 == "-" || $0 == ".") }
        return (plain ? name : encodedWords(name, prefixLength: 6, always: true)) + " " + address
    }

    /// `text` as RFC 2047 `=?UTF-8?B?…?=` words, each at most 75 characters and split between
    /// characters, folded onto continuation lines; plain ASCII text is returned as it is.
    static func encodedWords(_ text: String, prefixLength: Int, always: Bool = false) -> String {
        if !always, text.unicodeScalars.allSatisfy({ $0.isASCII }), !text.contains("=?"), text.utf8.count + prefixLength <= 78 {
            return text
        }
        // 75 - len("=?UTF-8?B?") - len("?=") = 63 base64 characters: 45 bytes of UTF-8.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    static func angle(_ id: String) -> String {
        let bare = headerText(id).filter { $0 != " " && $0 != "<" && $0 != ">" }
        return "<\(bare)>"
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
