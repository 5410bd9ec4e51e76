/// Trims the quoted history from a reply, so a case description holds what the sender wrote
/// this time: ">" lines, and everything from the first reply header on.
///
/// Reply headers recognised: "On … wrote:" (possibly over two lines), "在 … 写道：",
/// "-----Original Message-----", "----- 原始邮件 -----" and "-----邮件原件-----", and the
/// header blocks Outlook and Foxmail quote with ("发件人: …" / "From: …" followed by a
/// sent-date, recipient or subject line), with the rule of underscores Outlook puts above them.
enum QuotedHistory {
    static func trimmed(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var kept: [Substring] = []
        var index = 0
        scan: while index < lines.count {
            let line = lines[index].trimmingWhitespace()
            if isReplyHeader(lines, at: index) { break scan }
            if isRule(line), index + 1 < lines.count, isHeaderBlock(lines, at: index + 1) { break scan }
            if !line.hasPrefix(">") { kept.append(lines[index]) }
            index += 1
        }
        var result = kept.joined(separator: "\n")
        while let last = result.last, last.isWhitespace { result.removeLast() }
        while let first = result.first, first.isNewline { result.removeFirst() }
        return result.trimmingWhitespace().isEmpty ? text.trimmingWhitespace() : result
    }

    private static let separators = ["originalmessage", "原始邮件", "邮件原件", "原始郵件", "郵件原件"]

    static func isReplyHeader(_ lines: [Substring], at index: Int) -> Bool {
        let line = lines[index].trimmingWhitespace()
        guard !line.isEmpty else { return false }
        // "-----Original Message-----", "------------------ 原始邮件 ------------------".
        if line.hasPrefix("--") || line.hasPrefix("——") {
            let letters = line.filter { !$0.isWhitespace && $0 != "-" && $0 != "—" && $0 != "&" }
                .replacingOccurrences(of: "nbsp;", with: "").lowercased()
            if separators.contains(letters) { return true }
        }
        if line.hasPrefix("在"), line.contains("写道") || line.contains("寫道") { return true }
        if line.hasPrefix("On ") {
            if line.hasSuffix("wrote:") { return true }
            if index + 1 < lines.count, lines[index + 1].trimmingWhitespace().hasSuffix("wrote:") { return true }
        }
        return isHeaderBlock(lines, at: index)
    }

    private static let fromLabels = ["发件人", "發件人", "寄件者", "From"]
    private static let followingLabels = ["发送时间", "發送時間", "寄件日期", "日期", "时间", "Sent", "Date", "收件人", "To", "主题", "主旨", "Subject"]

    /// "发件人: …" or "From: …" with one of the next two lines a date, recipient or subject label.
    static func isHeaderBlock(_ lines: [Substring], at index: Int) -> Bool {
        guard let first = label(of: lines[index].trimmingWhitespace()), fromLabels.contains(first) else { return false }
        for next in (index + 1)..<min(index + 3, lines.count) {
            if let following = label(of: lines[next].trimmingWhitespace()), followingLabels.contains(following) { return true }
        }
        return false
    }

    /// The label before ":" or "：" on a header-like line ("*From:*" and "**发件人：**" included).
    private static func label(of line: String) -> String? {
        guard let colon = line.firstIndex(where: { $0 == ":" || $0 == "：" }) else { return nil }
        let label = line[..<colon].filter { $0 != "*" && !$0.isWhitespace }
        return label.count <= 8 ? String(label) : nil
    }

    private static func isRule(_ line: String) -> Bool {
        line.count >= 10 && line.allSatisfy { $0 == "_" }
    }
}
