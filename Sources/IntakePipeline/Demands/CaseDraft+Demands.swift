import IntakeCore

extension CaseDraft {
    /// The draft as one case per demand when its description enumerates several
    /// (`DemandSplitter`: "1、… 2、…", "（一）…（二）…", "①…②…"): refs `<ref>#1`, `<ref>#2` …,
    /// each with its item as the description, `demand_index`/`demand_count` in `extra`, and
    /// the text before the list (`notes_preamble`). Everything else — requester, enterprise,
    /// attachments — is shared. A description with fewer than two items stays one draft
    /// under `ref`. Behind a per-channel switch (`split_demands`), off by default: a webhook
    /// caller or a mail writer may well mean one demand in several steps.
    public func demands(ref: String) -> [CaseDraft] {
        var whole = self
        whole.ref = ref
        let parts = DemandSplitter.parts(description)
        guard parts.items.count >= 2 else { return [whole] }
        return parts.items.enumerated().map { index, item in
            var draft = whole
            draft.ref = "\(ref)#\(index + 1)"
            draft.description = item
            draft.extra["demand_index"] = .number(Double(index + 1))
            draft.extra["demand_count"] = .number(Double(parts.items.count))
            if let preamble = parts.preamble { draft.extra["notes_preamble"] = .string(preamble) }
            return draft
        }
    }
}
