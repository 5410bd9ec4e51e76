/// The texts of one locale: messages, the reports' column headers and the outcome words.
public struct MessageCatalogue: Sendable, Hashable {
    public let locale: OperatorLocale

    public init(locale: OperatorLocale) {
        self.locale = locale
    }

    public static let english = MessageCatalogue(locale: .en)
    public static let chinese = MessageCatalogue(locale: .zhCN)

    public func text(_ message: OperatorMessage) -> String {
        switch locale {
        case .zhCN: Self.chinese(message)
        case .en: Self.english(message)
        }
    }

    /// The columns of `NAME.errors.csv`, in their fixed order: line, column, reason, row.
    public var rejectReportColumns: [String] {
        switch locale {
        case .zhCN: Self.chineseRejectColumns
        case .en: Self.englishRejectColumns
        }
    }

    /// The columns of `NAME.result.csv`, in their fixed order: line, work order number,
    /// outcome, case id, case number token, original case (of a duplicate).
    public var resultReportColumns: [String] {
        switch locale {
        case .zhCN: Self.chineseResultColumns
        case .en: Self.englishResultColumns
        }
    }

    /// The columns of a visit drop file's report, in their fixed order: visit id, errors.
    public var visitReportColumns: [String] {
        switch locale {
        case .zhCN: ["走访编号", "错误"]
        case .en: ["visit_id", "errors"]
        }
    }

    /// A row's outcome in the result report: an admission status (`created`, `duplicate`,
    /// `followup`, `updated`, `repeat`) or `rejected`.
    public func outcome(_ status: String) -> String {
        switch locale {
        case .zhCN: Self.chineseOutcome(status)
        case .en: status
        }
    }
}
