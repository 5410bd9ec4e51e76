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
        case .verbatim(let text):
            text
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
