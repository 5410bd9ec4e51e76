import Foundation
import IntakePipeline

/// What the email channel makes of a parsed message: noise to ignore, a case token to
/// thread on, or a case draft.
public enum EmailTriage {
    /// Why this message is not a request (an auto-reply, a bounce, list mail), naming the
    /// header and its value, e.g. "Auto-Submitted: auto-replied"; nil for a request.
    public static func ignoreReason(_ message: MIMEMessage) -> String? {
        for value in message.headers(named: "Auto-Submitted") {
            // "auto-replied; owner-email=…": the keyword is what counts.
            let keyword = value.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() } ?? ""
            if keyword != "no" { return "Auto-Submitted: \(value.trimmingWhitespace())" }
        }
        for name in ["X-Autoreply", "X-Autorespond"] {
            if let value = message.header(name) { return "\(name): \(value.trimmingWhitespace())" }
        }
        for value in message.headers(named: "Precedence") {
            let keyword = value.trimmingWhitespace().lowercased()
            if ["bulk", "junk", "list"].contains(keyword) { return "Precedence: \(keyword)" }
        }
        for name in ["List-Unsubscribe", "X-Loop"] {
            if let value = message.header(name) { return "\(name): \(value.trimmingWhitespace())" }
        }
        if let address = message.fromAddress {
            let local = address.split(separator: "@", omittingEmptySubsequences: false).first.map(String.init) ?? address
            if local == "mailer-daemon" || local == "postmaster" {
                return "From: \(message.header("From")?.trimmingWhitespace() ?? address)"
            }
        }
        for value in message.headers(named: "Return-Path") where value.filter({ !$0.isWhitespace }) == "<>" {
            return "Return-Path: <>"
        }
        if message.isReport { return "Content-Type: multipart/report" }
        return nil
    }

    /// The case token in a subject, as its 12 lower-case hex digits.
    ///
    /// The form is `[案件 XXXXXXXXXXXX]`: the last 12 hex digits of the case id (the random
    /// tail of its UUID). Full-width brackets (【】, ［］), any letter case, spaces or none
    /// around the digits, and `[Case XXXXXXXXXXXX]` are accepted.
    public static func caseToken(inSubject subject: String) -> String? {
        tokenMatch(in: subject)?.token
    }

    /// A subject carrying the case's token, for mail sent about the case: "[案件 <last 12>] subject".
    /// A token already in `subject` is replaced, not repeated.
    public static func tokenSubject(caseID: String, subject: String) -> String {
        let hex = caseID.lowercased().filter(\.isHexDigit)
        let tail = String(hex.suffix(12))
        let rest = removingTokens(subject).trimmingWhitespace()
        return rest.isEmpty ? "[案件 \(tail)]" : "[案件 \(tail)] \(rest)"
    }

    /// The case draft for a request: subject without reply prefixes and token, the text with
    /// quoted history trimmed as description, requester from From, and the first phone
    /// number, USCC and enterprise name found in that description.
    public static func draft(_ message: MIMEMessage) -> CaseDraft {
        let subject = cleanSubject(message.subject ?? "")
        var description = QuotedHistory.trimmed(message.text)
        if description.isEmpty { description = subject }
        if description.isEmpty { description = "(no text)" }
        return CaseDraft(
            ref: message.messageID,
            reportedAt: message.date,
            requesterName: message.fromName,
            requesterPhone: EmailTextFinder.phoneNumber(in: description),
            requesterEmail: message.fromAddress,
            enterpriseName: EmailTextFinder.enterpriseName(in: description),
            enterpriseUSCC: EmailTextFinder.uscc(in: description),
            subject: subject.isEmpty ? nil : subject,
            description: description
        )
    }

    static let replyPrefixes = ["re", "fw", "fwd", "aw", "sv", "回复", "答复", "回覆", "转发", "轉寄", "转寄"]

    /// The subject without its token and any run of reply/forward prefixes ("Re: 回复：Fwd:").
    static func cleanSubject(_ subject: String) -> String {
        var text = Substring(removingTokens(subject).trimmingWhitespace())
        while let rest = droppingReplyPrefix(text) { text = rest }
        return String(text)
    }

    /// The text after its leading prefix and colon, or nil without one. Every prefix the text
    /// begins with is tried, not just the first in the list: "Fwd:" also begins with "fw".
    private static func droppingReplyPrefix(_ text: Substring) -> Substring? {
        let lowered = text.lowercased()
        for prefix in replyPrefixes where lowered.hasPrefix(prefix) {
            var rest = text.dropFirst(prefix.count)
            // "Re[2]:" and "Re(2):" from some clients.
            if let open = rest.first, open == "[" || open == "(", let close = rest.firstIndex(where: { $0 == "]" || $0 == ")" }),
               rest[rest.index(after: rest.startIndex)..<close].allSatisfy(\.isNumber) {
                rest = rest[rest.index(after: close)...]
            }
            rest = rest.drop { $0 == " " }
            guard let colon = rest.first, colon == ":" || colon == "：" else { continue }
            return Substring(rest.dropFirst().trimmingWhitespace())
        }
        return nil
    }

    private static func removingTokens(_ subject: String) -> String {
        var text = subject
        while let match = tokenMatch(in: text) {
            text.replaceSubrange(match.range, with: " ")
        }
        return text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    private static let openings: Set<Character> = ["[", "【", "［"]
    private static let closings: Set<Character> = ["]", "】", "］"]

    private static func tokenMatch(in subject: String) -> (token: String, range: Range<String.Index>)? {
        var start = subject.startIndex
        while let open = subject[start...].firstIndex(where: openings.contains) {
            start = subject.index(after: open)
            var cursor = start
            func skipSpaces() {
                while cursor < subject.endIndex, subject[cursor] == " " || subject[cursor] == "\u{3000}" { cursor = subject.index(after: cursor) }
            }
            skipSpaces()
            let rest = subject[cursor...]
            if rest.hasPrefix("案件") {
                cursor = subject.index(cursor, offsetBy: 2)
            } else if rest.prefix(4).lowercased() == "case" {
                cursor = subject.index(cursor, offsetBy: 4)
            } else {
                continue
            }
            skipSpaces()
            var digits = ""
            while cursor < subject.endIndex, subject[cursor].isASCII, subject[cursor].isHexDigit, digits.count <= 12 {
                digits.append(subject[cursor])
                cursor = subject.index(after: cursor)
            }
            guard digits.count == 12 else { continue }
            skipSpaces()
            guard cursor < subject.endIndex, closings.contains(subject[cursor]) else { continue }
            return (digits.lowercased(), open..<subject.index(after: cursor))
        }
        return nil
    }
}
