extension EmailTriage {
    /// Local parts that say "do not answer": `noreply`, `no-reply`, `do_not_reply`, …
    static let noReplyMarkers = ["noreply", "donotreply", "mailerdaemon", "postmaster"]

    /// Why a request gets no acknowledgement though it became a case, or nil when it gets one.
    /// Auto-replies, bounces and list mail never become cases (`ignoreReason`); here are the
    /// senders that must not be answered either: no usable From address, a noreply address,
    /// list mail that carries only `List-Id`.
    public static func acknowledgementRefusal(_ message: MIMEMessage) -> String? {
        guard let address = message.fromAddress else { return "no_sender" }
        guard AcknowledgementMail.isSendable(address) else { return "unsendable_address" }
        let local = address.split(separator: "@").first.map { $0.lowercased().filter { $0.isLetter } } ?? ""
        if noReplyMarkers.contains(where: local.contains) { return "noreply_sender" }
        if message.header("List-Id") != nil || message.header("List-Post") != nil { return "list_mail" }
        return nil
    }
}
