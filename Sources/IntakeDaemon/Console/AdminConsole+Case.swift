import Foundation
import Hummingbird
import IntakeCore
import IntakeStore

extension AdminConsole {
    /// A case: its canonical fields, its dedup decision with links to the candidates, the
    /// cases linked to it, its raw input and attachments, and its whole trace.
    func casePage(_ stored: IntakeCase, viewer: ConsoleViewer) throws -> Response {
        let entries = try database.traceEntries(for: stored.id)
        let linked = try database.linkedCases(to: stored.id)
        let raw = try database.rawInput(sha256: stored.rawSHA256)
        var fields: [[String: Any]] = []
        func field(_ label: String, _ value: String?, link: String? = nil, mono: Bool = false) {
            guard let value, !value.isEmpty else { return }
            var row: [String: Any] = ["label": label, "value": value, "cellClass": mono ? "mono" : ""]
            if let link { row["link"] = link }
            fields.append(row)
        }
        field("渠道 / 来源", "\(Self.channelLabel(stored.channel.rawValue)) · \(stored.source)")
        field("编号（ref）", stored.ref, mono: true)
        field("接收时间", stored.receivedAt)
        field("提出时间", stored.reportedAt)
        field("诉求人", stored.requester.name)
        field("电话", stored.requester.phone.map { $0 + (stored.requester.phoneExtension.map { " 转 \($0)" } ?? "") })
        field("邮箱", stored.requester.email)
        field("身份", stored.requester.role)
        field("企业", stored.enterprise.name, link: stored.enterprise.name.map { "/enterprises?name=" + Self.queryEscaped($0) })
        field(
            "统一社会信用代码", stored.enterprise.uscc.map { $0 + (stored.enterprise.usccValid == false ? "（校验未通过）" : "") },
            link: stored.enterprise.usccValid == true ? stored.enterprise.uscc.map { "/enterprises?uscc=" + Self.queryEscaped($0) } : nil, mono: true)
        field("主题", stored.subject)
        field("分类", stored.category.map { "\($0.label)（\($0.code)，依据 \($0.by.rawValue)）" })
        field("承办部门建议", stored.department)
        field("办结时限", stored.dueAt)
        field("紧急程度", stored.priority == .urgent ? "紧急" : "一般")
        field("地点", [stored.location?.district, stored.location?.address].compactMap { $0 }.joined(separator: " "))
        field("重复于", stored.duplicateOf, link: stored.duplicateOf.map { "/cases/\($0)" }, mono: true)
        field("相似度", stored.similarity.map { String(format: "%.3f", $0) })
        field("疑似重复于", stored.possibleDuplicateOf, link: stored.possibleDuplicateOf.map { "/cases/\($0)" }, mono: true)
        field("跟进于", stored.followupOf, link: stored.followupOf.map { "/cases/\($0)" }, mono: true)
        var values: [String: Any] = [
            "id": stored.id, "fields": fields, "description": stored.description,
            "extra": stored.extra.keys.sorted().map { ["name": $0, "value": stored.extra[$0]?.stringValue ?? stored.extra[$0]?.serialized() ?? ""] },
            "hasExtra": !stored.extra.isEmpty, "rawSHA256": stored.rawSHA256,
            "rawAvailable": raw.map { !$0.retired } ?? false,
            "rawState": raw == nil ? "不在存储中" : "已按保留期限清理（哈希保留）",
            "attachments": stored.attachments.map {
                ["caseID": stored.id, "sha256": $0.sha256, "name": $0.name, "mediaType": $0.mediaType, "size": $0.size] as [String: Any]
            },
            "rows": linked.map(summaryRow), "hasLinks": !linked.isEmpty,
            "timeline": entries.map { entry -> [String: Any] in
                [
                    "at": shown(entry.at), "step": entry.step, "label": Self.stepLabel(entry.step),
                    "origin": [entry.channel.map(Self.channelLabel), entry.source].compactMap { $0 }.joined(separator: " · "),
                    "actor": entry.actor ?? "", "detail": entry.detail ?? "",
                ]
            },
        ]
        if let erased = stored.erased { values["erased"] = ["at": erased.at, "by": erased.by, "reason": erased.reason] }
        if let decision = DedupReport.decision(in: entries) { values["dedup"] = dedupValues(decision) }
        return pages.render("case", values, frame: ConsoleFrame(title: "案件 \(Self.short(stored.id))", nav: "cases", viewer: viewer))
    }

    func dedupValues(_ decision: [String: JSONValue]) -> [String: Any] {
        let of = decision["of"]?.stringValue ?? "?"
        let similarity = DedupReport.number(decision["similarity"])
        let verdict: String = switch decision["outcome"]?.stringValue {
        case "duplicate": "判定为重复件：重复于 \(of)（相似度 \(similarity)）"
        case "possible_duplicate": "新案件，疑似重复于 \(of)（相似度 \(similarity)），待人工确认"
        default: "新案件：没有达到重复阈值的候选"
        }
        let keys = decision["identity_keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var thresholds = "—"
        if case .object(let given)? = decision["thresholds"] {
            thresholds = "重复 \(DedupReport.number(given["high"]))，疑似 \(DedupReport.number(given["low"]))，"
                + "仅文本 \(DedupReport.number(given["text_only"]))，跨分类 \(DedupReport.number(given["cross_category"]))；窗口 ±\(DedupReport.number(decision["window_days"])) 天"
        }
        let candidates: [[String: Any]] = (decision["candidates"]?.arrayValue ?? []).compactMap { candidate in
            guard case .object(let fields) = candidate, let id = fields["case_id"]?.stringValue else { return nil }
            return [
                "id": id, "shortID": Self.short(id), "similarity": DedupReport.number(fields["similarity"]),
                "keys": (fields["shared_keys"]?.arrayValue?.compactMap(\.stringValue) ?? []).joined(separator: ", "),
                "verdict": Self.verdictLabel(fields["verdict"]?.stringValue ?? ""), "reason": fields["reason"]?.stringValue ?? "",
            ]
        }
        return [
            "decision": verdict, "identity": keys.isEmpty ? "无（仅比较文本）" : keys.joined(separator: ", "),
            "category": decision["category"]?.stringValue ?? "—", "thresholds": thresholds,
            "candidates": candidates, "hasCandidates": !candidates.isEmpty,
        ]
    }

    static func verdictLabel(_ verdict: String) -> String {
        let labels = [
            "duplicate": "重复", "possible_duplicate": "疑似重复", "below_threshold": "相似度不足", "outside_window": "超出时间窗口",
            "different_enterprise": "不同企业", "other_category": "分类不同", "empty_text": "文本为空",
        ]
        return labels[verdict].map { "\($0)（\(verdict)）" } ?? verdict
    }

    /// The trace's step names in words; the name itself is shown beside it.
    static func stepLabel(_ step: String) -> String {
        let labels = [
            "received": "接收", "normalised": "规范化与分类", "deduplicated": "查重", "stored": "入库", "queued": "进入出站队列",
            "delivered": "已送达", "delivery_failed": "投递失败（将重试）", "dead_lettered": "转入死信", "replayed": "重放",
            "reprocessed": "重新处理", "refused": "拒收", "quarantined": "隔离", "raw_retired": "原始输入已清理", "erased": "个人信息已删除",
            "demand_removed": "诉求已从走访记录移除", "updated": "更新", "followup": "跟进", "threaded": "关联邮件会话",
            "ignored": "忽略（自动回复等）", "file_received": "收到文件", "file_ingested": "文件已读取", "file_archived": "文件已归档",
        ]
        return labels[step] ?? step
    }
}
