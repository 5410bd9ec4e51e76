/// The zh-CN catalogue: what operators read by default.
extension MessageCatalogue {
    static func chinese(_ message: OperatorMessage) -> String {
        switch message {
        case .requiredCellEmpty(let header, _):
            "\(header)为空（必填）"
        case .invalidDate(let header, let value, _, let examples):
            "\(header)\"\(value)\"无法识别，可用格式：\(examples.joined(separator: "、"))"
        case .unknownPriority(let header, let value, let accepted):
            "\(header)\"\(value)\"不是已知的紧急程度，可填：\(accepted.joined(separator: "、"))"
        case .noDescription:
            "没有诉求内容"
        case .cellsBeyondHeader(let count, let headerColumns, let limit):
            "此行在表头的 \(headerColumns) 列之外还有 \(count) 个非空单元格，最多接收 \(limit) 个（分隔符是否正确？是否有未闭合的引号？）"
        case .extraTooLarge(let bytes, let limit):
            "未对应字段的单元格共 \(bytes) 字节，最多接收 \(limit) 字节"
        case .unreadableRecord(let detail):
            "此行无法读取（\(detail)），文件其余部分未读取"
        case .emptyFile:
            "文件为空"
        case .noUsableHeader:
            "没有可用的表头"
        case .notAHeaderRow(let sample, let mappingFile, let expected):
            "第一行不是表头：其单元格（\(sample.joined(separator: "、"))）都不是 \(mappingFile) 中列出的列名；表头应包含：\(expected.joined(separator: "；"))"
        case .missingRequiredColumns(let missing, let columns, let mappingFile):
            "表头缺少必填列：\(missing.joined(separator: "；"))；现有列：\(columns.joined(separator: "、"))；请在导出文件中改列名，或把列名加入 \(mappingFile)"
        case .headerAtLine(let line, let problem):
            "第 \(line) 行：\(chinese(problem))"
        case .failedRepeatedly(let attempts, let lastError):
            "处理失败 \(attempts) 次，最后一次：\(lastError)"
        case .required: "必填"
        case .requiredWithID: "必填，至少要有 id"
        case .mustNotBeEmpty: "不能为空"
        case .isEmpty: "为空"
        case .wrongType(let expected, let found): "应为\(chineseType(expected))，实际为\(chineseType(found))"
        case .notTimestamp(let value): "\"\(value)\"不是带时区的 RFC 3339 时间（如 2026-02-26T09:13:05+08:00）"
        case .notUUID(let value): "\"\(value)\"不是 UUID"
        case .unknownField(_, let allowed): "未知字段；可用字段：\(allowed.joined(separator: "、"))"
        case .tooMany(let count, let limit, let noun, let perBatch):
            "共 \(count) \(chineseNoun(noun))，\(perBatch ? "每批" : "")最多 \(limit) \(chineseNoun(noun))"
        case .tooManyCharacters(let count, let limit): "共 \(count) 个字，最多 \(limit) 个字"
        case .unexpectedBesideBatch(let member, let names): "批量上传时 \"\(member)\" 之外不应有其他字段\(names.isEmpty ? "" : "：\(names)")"
        case .repeatsVisit(let at): "与同一批中 \(at) 的走访重复"
        case .noDemands: "走访记录至少要有一项诉求，或有可从中拆分诉求的走访纪要"
        case .notesEnumerateTooMany(let count, let limit): "走访纪要列出了 \(count) 项诉求，最多 \(limit) 项"
        case .attachmentNeedsContent: "需要 content_base64 或 part"
        case .attachmentHasBothContentAndPart: "content_base64 和 part 只能填一个"
        case .multipartNeedsVisitPart: "multipart 上传需要名为 \"visit\" 的部分，内容为走访记录 JSON"
        case .noFilePart(let name): "上传中没有名为 \"\(name)\" 的文件部分"
        case .notJSON(let detail): "不是有效的 JSON：\(detail)"
        case .verbatim(let text):
            text
        }
    }

    static func chineseType(_ name: String) -> String {
        switch name {
        case "string": "字符串"
        case "boolean": "true 或 false"
        case "number": "数字"
        case "null": "null"
        case "array": "数组"
        case "object", "json_object": "JSON 对象"
        default: name
        }
    }

    static func chineseNoun(_ noun: String) -> String {
        switch noun {
        case "visits": "条走访记录"
        case "demands": "项诉求"
        case "names": "个姓名"
        case "attachments": "个附件"
        case "requests": "条诉求"
        default: noun
        }
    }

    static let chineseRejectColumns = ["行号", "列", "原因", "原始行"]
    static let chineseResultColumns = ["行号", "工单编号", "处理结果", "案件编号", "案件号", "原案件"]

    static func chineseOutcome(_ status: String) -> String {
        switch status {
        case "created": "新建"
        case "duplicate": "重复"
        case "followup": "补充"
        case "updated": "更新"
        case "repeat": "已受理"
        case "rejected": "拒收"
        default: status
        }
    }
}
