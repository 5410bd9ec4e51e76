import Foundation

/// Reading the lines of IMAP answers that the client needs: mailbox status, UIDs with sizes,
/// capabilities, and the tagged completion line for error messages.
enum IMAPResponse {
    /// The lines of `data` ("\r\n" is one Character in Swift, so split on newlines).
    static func lines(_ data: Data) -> [Substring] {
        String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
    }

    /// `* 3 EXISTS`, `* OK [UIDVALIDITY 1795748843]`, `* OK [UIDNEXT 4]` from a SELECT.
    static func mailboxStatus(_ lines: [Substring]) -> IMAPClient.MailboxStatus? {
        var exists: Int?
        var uidValidity: UInt32?
        var uidNext: UInt32?
        for line in lines where line.hasPrefix("* ") {
            let words = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: true)
            if words.count >= 2, words[1].uppercased() == "EXISTS" {
                exists = Int(words[0])
            } else if words.count >= 3, words[0].uppercased() == "OK" {
                let code = words[1].uppercased()
                let value = UInt32(words[2].prefix { $0.isNumber })
                if code == "[UIDVALIDITY" { uidValidity = value }
                if code == "[UIDNEXT" { uidNext = value }
            }
        }
        guard let uidValidity, let exists else { return nil }
        return IMAPClient.MailboxStatus(uidValidity: uidValidity, uidNext: uidNext, exists: exists)
    }

    /// UID → RFC822.SIZE from `* 12 FETCH (UID 40 RFC822.SIZE 2210)` lines; lines without
    /// both (unsolicited flag updates) are skipped.
    static func fetchedSizes(_ lines: [Substring]) -> [UInt32: Int] {
        var sizes: [UInt32: Int] = [:]
        for line in lines where line.hasPrefix("* ") {
            guard let open = line.firstIndex(of: "("), line[..<open].uppercased().hasSuffix(" FETCH ") else { continue }
            let items = line[line.index(after: open)...]
                .split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" })
            var uid: UInt32?
            var size: Int?
            for (index, item) in items.enumerated() where index + 1 < items.count {
                switch item.uppercased() {
                case "UID": uid = UInt32(items[index + 1])
                case "RFC822.SIZE": size = Int(items[index + 1])
                default: break
                }
            }
            if let uid, let size { sizes[uid] = size }
        }
        return sizes
    }

    /// The UIDs of `* SEARCH 4 5 9` lines.
    static func searchedUIDs(_ lines: [Substring]) -> [UInt32] {
        lines.filter { $0.uppercased().hasPrefix("* SEARCH") }
            .flatMap { $0.dropFirst("* SEARCH".count).split(separator: " ").compactMap { UInt32($0) } }
    }

    /// The UIDs of `* 12 FETCH (UID 40 …)` lines.
    static func fetchedUIDs(_ lines: [Substring]) -> [UInt32] {
        lines.compactMap { line -> UInt32? in
            guard line.hasPrefix("* "), let range = line.range(of: "(UID ", options: .caseInsensitive) ?? line.range(of: " UID ", options: .caseInsensitive) else { return nil }
            return UInt32(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// The words of `* CAPABILITY IMAP4rev1 MOVE …`, upper-cased.
    static func capabilities(_ lines: [Substring]) -> Set<String> {
        var capabilities: Set<String> = []
        for line in lines where line.uppercased().hasPrefix("* CAPABILITY ") {
            for word in line.dropFirst("* CAPABILITY ".count).split(separator: " ") {
                capabilities.insert(word.uppercased())
            }
        }
        return capabilities
    }

    /// The server's verdict on the failed command, for error messages: the last tagged NO or
    /// BAD line, else the last tagged line (libcurl logs out after a failure, so the very last
    /// line is often `OK Logout completed`).
    static func lastTagged(_ lines: [Substring]) -> String? {
        let tagged = lines.filter { !$0.hasPrefix("*") && !$0.hasPrefix("+") && !$0.isEmpty }
        let refusal = tagged.last { line in
            let words = line.split(separator: " ", maxSplits: 2)
            return words.count >= 2 && ["NO", "BAD"].contains(words[1].uppercased())
        }
        return (refusal ?? tagged.last).map(String.init)
    }
}
