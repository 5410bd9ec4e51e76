import Foundation

/// Parses raw RFC 5322 / MIME messages. It never throws and never traps, whatever the
/// bytes: what it cannot read cleanly it reads as well as it can and records in `problems`.
public enum MIMEParser {
    /// Parts beyond this many are not read.
    public static let maxParts = 1000

    /// - Parameters:
    ///   - maxAttachmentBytes: attachments larger than this are measured, not kept.
    ///   - maxDepth: multipart nesting read at most this deep (capped at 200, to bound the stack).
    public static func parse(_ raw: Data, maxAttachmentBytes: Int = 10 << 20, maxDepth: Int = 20) -> MIMEMessage {
        var walker = MIMEWalker(bytes: [UInt8](raw), maxAttachmentBytes: max(0, maxAttachmentBytes), maxDepth: min(max(1, maxDepth), 200))
        let top = MIMEHeaderBlock(walker.bytes[...])
        walker.problems += top.problems
        var message = MIMEMessage()
        for field in top.fields {
            let decoded = EncodedWords.decode(field.rawValue)
            message.headers.append(MIMEHeaderField(name: field.name, value: decoded.text))
            walker.problems += decoded.problems.map { "header \(MIMECharset.printable(field.name)): \($0)" }
        }
        walker.walk(top, path: "", depth: 0, defaultType: "text/plain", role: .body)

        message.messageID = top.value("Message-ID").flatMap { MailAddress.messageIDs($0).first ?? nonEmpty($0) }
        message.inReplyTo = top.values("In-Reply-To").flatMap(MailAddress.messageIDs)
        message.references = top.values("References").flatMap(MailAddress.messageIDs)
        message.subject = message.header("Subject")
        if let from = top.value("From") {
            let address = MailAddress(from)
            message.fromName = address.name
            message.fromAddress = address.address
        }
        message.date = top.value("Date").flatMap(MailDate.parse)
        message.text = walker.texts.joined(separator: "\n\n")
        message.attachments = walker.attachments
        message.problems = walker.problems
        message.isReport = walker.isReport
        return message
    }

    private static func nonEmpty(_ text: String) -> String? {
        let trimmed = text.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }
}
