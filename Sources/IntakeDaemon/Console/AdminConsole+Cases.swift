import Foundation
import Hummingbird
import IntakeCore
import IntakePipeline
import IntakeStore

extension AdminConsole {
    /// `/cases` (search), `/cases/ID` (a case), `/enterprises` (an enterprise's record).
    func addCases(to router: Router<ConsoleRequestContext>) {
        page(router, "/cases") { [self] request, _, viewer in
            let parameters = ConsoleForm(request.uri.query ?? "")
            var query = CaseQuery()
            query.caseID = parameters["case"]
            // A Message-ID as the header writes it (`<id@host>`) is stored without the brackets.
            query.ref = parameters["ref"].map { $0.count > 2 && $0.hasPrefix("<") && $0.hasSuffix(">") ? String($0.dropFirst().dropLast()) : $0 }
            query.idempotencyKey = parameters["key"]
            query.enterprise = parameters["enterprise"]
            query.phone = parameters["phone"].map { PhoneNumber($0, defaultAreaCode: configuration.settings.zone.defaultAreaCode).canonical }
            query.email = parameters["email"]
            query.channel = parameters["channel"]
            query.category = parameters["category"]
            var error: String?
            if let from = parameters["from"] {
                query.from = dayStart(from)
                if query.from == nil { error = "日期格式应为 2026-02-26" }
            }
            if let to = parameters["to"] {
                query.until = dayStart(to).map { $0.addingTimeInterval(86400) }
                if query.until == nil { error = "日期格式应为 2026-02-26" }
            }
            query.page = parameters["page"].flatMap(Int.init) ?? 1
            let result = try database.searchCases(query)
            let keys = ["case", "ref", "key", "enterprise", "phone", "email", "channel", "category", "from", "to"]
            let echoed = Dictionary(uniqueKeysWithValues: keys.map { ($0, parameters[$0] ?? "") })
            func link(page: Int) -> String {
                (keys.compactMap { key in parameters[key].map { "\(key)=\(Self.queryEscaped($0))" } } + ["page=\(page)"]).joined(separator: "&")
            }
            var values: [String: Any] = [
                "q": echoed, "total": result.total, "page": result.page, "pageCount": result.pageCount, "pages": result.pageCount > 1,
                "rows": result.cases.map(summaryRow), "hasRows": !result.cases.isEmpty,
                "channelOptions": Channel.allCases.map { ["value": $0.rawValue, "label": Self.channelLabel($0.rawValue), "selected": $0.rawValue == query.channel] },
                "categoryOptions": (configuration.classifier?.taxonomy.categories ?? []).map { ["value": $0.code, "label": $0.label, "selected": $0.code == query.category] },
            ]
            if let error { values["error"] = error }
            if result.page > 1 { values["previous"] = link(page: result.page - 1) }
            if result.page < result.pageCount { values["next"] = link(page: result.page + 1) }
            return pages.render("cases", values, frame: ConsoleFrame(title: "案件", nav: "cases", viewer: viewer))
        }
        page(router, "/cases/:id") { [self] _, context, viewer in
            let id = context.parameters.get("id") ?? ""
            guard let document = try database.caseDocument(id: id), let stored = try? JSONDecoder().decode(IntakeCase.self, from: Data(document.utf8))
            else { return message(.notFound, "没有此案件", "找不到案件 \(id)。", viewer: viewer, back: "/cases") }
            return try casePage(stored, viewer: viewer)
        }
        page(router, "/enterprises") { [self] request, _, viewer in
            let parameters = ConsoleForm(request.uri.query ?? "")
            return try enterprisePage(uscc: parameters["uscc"], name: parameters["name"], viewer: viewer)
        }
        addDownloads(to: router)
    }

    func summaryRow(_ summary: CaseSummary) -> [String: Any] {
        var row: [String: Any] = [
            "id": summary.id, "shortID": Self.short(summary.id), "received": shown(summary.receivedAt),
            "channel": Self.channelLabel(summary.channel), "source": summary.source, "ref": summary.ref,
            "enterprise": summary.enterpriseName ?? "—", "subject": summary.subject ?? "", "excerpt": Self.excerpt(summary.description),
            "category": summary.categoryLabel ?? "—",
            "rowClass": summary.duplicateOf != nil ? "duplicate" : (summary.followupOf != nil ? "followup" : ""),
        ]
        if let uscc = summary.uscc { row["uscc"] = uscc }
        if let id = summary.duplicateOf { row["duplicateOf"] = id; row["duplicateOfShort"] = Self.short(id) }
        if let id = summary.possibleDuplicateOf { row["possibleOf"] = id; row["possibleOfShort"] = Self.short(id) }
        if let id = summary.followupOf { row["followupOf"] = id; row["followupOfShort"] = Self.short(id) }
        return row
    }

    static func excerpt(_ text: String, length: Int = 80) -> String {
        text.count > length ? String(text.prefix(length)) + "…" : text
    }

    func enterprisePage(uscc given: String?, name: String?, viewer: ConsoleViewer) throws -> Response {
        var values: [String: Any] = ["uscc": given ?? "", "name": name ?? ""]
        var cases: [CaseSummary] = []
        if let given {
            let uscc = USCC(given).code
            cases = try database.enterpriseCases(uscc: uscc)
            values["heading"] = "统一社会信用代码 \(uscc)"
            values["explanation"] = "按统一社会信用代码列出该企业经各渠道提交的全部诉求。"
        } else if let name {
            let folded = EnterpriseIdentity.normalizedName(name) ?? name
            cases = try database.enterpriseCases(foldedName: folded)
            // The LIKE finds names that contain the folded form; keep those that fold to it.
            cases = cases.filter { summary in summary.enterpriseName.flatMap(EnterpriseIdentity.normalizedName) == folded }
            values["heading"] = "企业名称 “\(name)”（归一为 “\(folded)”）"
            values["explanation"] = "按归一化的企业名称（去掉有限公司、分公司、城市前缀，繁简统一）匹配。"
        }
        if given != nil || name != nil {
            let ids = Set(cases.map(\.id))
            // Duplicates grouped under their original; an original outside this record heads its own group.
            var groups: [(original: CaseSummary, repeats: [CaseSummary])] = []
            var position: [String: Int] = [:]
            for summary in cases {
                if let original = summary.duplicateOf ?? summary.followupOf, ids.contains(original), let index = position[original] {
                    groups[index].repeats.append(summary)
                    position[summary.id] = index
                } else {
                    position[summary.id] = groups.count
                    groups.append((summary, []))
                }
            }
            values["searched"] = true
            values["caseCount"] = cases.count
            values["groupCount"] = groups.count
            let channels = Dictionary(grouping: cases, by: \.channel).map { "\(Self.channelLabel($0.key)) \($0.value.count)" }.sorted()
            values["channelSummary"] = channels.isEmpty ? "无" : channels.joined(separator: "，")
            values["groups"] = groups.reversed().map { group -> [String: Any] in
                [
                    "original": summaryRow(group.original), "hasRepeats": !group.repeats.isEmpty,
                    "repeats": group.repeats.map { repeated -> [String: Any] in
                        var row = summaryRow(repeated)
                        row["relation"] = repeated.duplicateOf != nil ? "重复件" : "跟进件"
                        return row
                    },
                ]
            }
        }
        return pages.render("enterprise", values, frame: ConsoleFrame(title: "企业档案", nav: "enterprise", viewer: viewer))
    }
}
