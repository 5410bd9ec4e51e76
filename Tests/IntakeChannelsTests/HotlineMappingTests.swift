import Foundation
import IntakeChannels
import IntakeCore
import IntakePipeline
import Testing

@Suite struct HotlineMappingTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    /// `channels/hotline.yaml` at the repository root, as shipped.
    static let shippedPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("channels/hotline.yaml").path

    static let header = ["工单编号", "来电时间", "来电号码", "诉求人", "企业名称", "统一社会信用代码",
                         "诉求类型", "诉求标题", "诉求内容", "所属区域", "紧急程度"]
    static let row = ["GD20260226001", "2026/2/26 9:13", "13812345678", "张先生", "天津某某科技有限公司",
                      "91120116MA07K3RD93", "土地", "厂房用地规划许可进度咨询", "想了解厂房用地规划许可的办理进度。", "滨海新区", "一般"]

    func shipped() throws -> HotlineMapping {
        try HotlineMapping.load(path: Self.shippedPath)
    }

    func columns(_ header: [String] = header) throws -> HotlineColumns {
        try shipped().bind(header: header, timeZone: Self.shanghai).get()
    }

    func draft(_ header: [String] = header, _ row: [String]) throws -> CaseDraft {
        let result = try columns(header).draft(row)
        return try #require(result.draft, "\(result.errors)")
    }

    func rowErrors(_ header: [String] = header, _ row: [String]) throws -> [HotlineFieldError] {
        try columns(header).draft(row).errors
    }

    /// The mistakes in a mapping. The small mappings of these tests mostly leave out `ref`,
    /// whose absence is a mistake of its own (tested by itself): it is left out of the answer
    /// unless `keepMissingRef`.
    func issues(_ yaml: String, keepMissingRef: Bool = false) -> [ConfigurationIssue] {
        do {
            _ = try HotlineMapping.parse(yaml: yaml, file: "test.yaml")
            return []
        } catch {
            return error.issues.filter { keepMissingRef || $0.option != "fields.ref" }
        }
    }

    @Test func aMappingWithoutTheWorkOrderNumberIsRefused() {
        let found = issues("""
            fields:
              description: { headers: [诉求内容] }
            """, keepMissingRef: true)
        #expect(found.map(\.option) == ["fields.ref"])
        #expect(found.first?.line == 1)
    }

    @Test func theWorkOrderNumberCannotBeMadeOptional() {
        let found = issues("""
            fields:
              ref: { headers: [工单编号], required: false }
              description: { headers: [诉求内容] }
            """, keepMissingRef: true)
        #expect(found.map(\.option) == ["fields.ref.required"])
        #expect(found.first?.line == 2)
    }

    func instant(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    // MARK: the shipped mapping

    @Test func shippedMappingLoads() throws {
        let mapping = try shipped()
        #expect(mapping.dateFormats.contains("excel-serial"))
    }

    @Test func typicalRowMapsEveryCanonicalField() throws {
        let draft = try draft(Self.header, Self.row)
        #expect(draft.ref == "GD20260226001")
        #expect(draft.reportedAt == instant("2026-02-26T09:13:00+08:00"))
        #expect(draft.requesterPhone == "13812345678")
        #expect(draft.requesterName == "张先生")
        #expect(draft.enterpriseName == "天津某某科技有限公司")
        #expect(draft.enterpriseUSCC == "91120116MA07K3RD93")
        #expect(draft.sourceCategory == "土地")
        #expect(draft.subject == "厂房用地规划许可进度咨询")
        #expect(draft.description == "想了解厂房用地规划许可的办理进度。")
        #expect(draft.district == "滨海新区")
        #expect(draft.priority == .normal)
        #expect(draft.extra.isEmpty)
    }

    @Test(arguments: [
        ("ref", ["工单编号", "工单号", "受理编号"]),
        ("reported_at", ["来电时间", "受理时间", "来电日期"]),
        ("requester_phone", ["来电号码", "联系电话", "主叫号码"]),
        ("requester_name", ["诉求人", "来电人", "联系人"]),
        ("enterprise_name", ["企业名称", "单位名称"]),
        ("enterprise_uscc", ["统一社会信用代码", "信用代码"]),
        ("category", ["诉求类型", "问题类型", "诉求分类"]),
        ("subject", ["诉求标题", "标题"]),
        ("description", ["诉求内容", "问题描述", "来电内容"]),
        ("district", ["所属区域", "区域", "街道"]),
        ("priority", ["紧急程度"]),
    ])
    func everyHeaderAliasBindsItsField(field: String, aliases: [String]) throws {
        let values: [String: String] = [
            "ref": "GD1", "reported_at": "2026/2/26 9:13", "requester_phone": "13812345678", "requester_name": "张先生",
            "enterprise_name": "某公司", "enterprise_uscc": "91120116MA07K3RD93", "category": "土地", "subject": "标题文字",
            "description": "内容", "district": "滨海新区", "priority": "特急",
        ]
        for alias in aliases {
            // The field under test by its alias, the required fields by their first names.
            var header = [alias]
            var row = [values[field]!]
            if field != "ref" { header.append("工单编号"); row.append("GD1") }
            if field != "description" { header.append("诉求内容"); row.append("内容") }
            let draft = try draft(header, row)
            #expect(draft.extra.isEmpty, "\(alias) was not bound")
            switch field {
            case "ref": #expect(draft.ref == "GD1")
            case "reported_at": #expect(draft.reportedAt == instant("2026-02-26T09:13:00+08:00"))
            case "requester_phone": #expect(draft.requesterPhone == "13812345678")
            case "requester_name": #expect(draft.requesterName == "张先生")
            case "enterprise_name": #expect(draft.enterpriseName == "某公司")
            case "enterprise_uscc": #expect(draft.enterpriseUSCC == "91120116MA07K3RD93")
            case "category": #expect(draft.sourceCategory == "土地")
            case "subject": #expect(draft.subject == "标题文字")
            case "description": #expect(draft.description == "内容")
            case "district": #expect(draft.district == "滨海新区")
            case "priority": #expect(draft.priority == .urgent)
            default: Issue.record("unexpected field \(field)")
            }
        }
    }

    @Test func headersMatchAfterTrimmingFullWidthFoldingAndBOM() throws {
        let header = ["\u{FEFF}工单编号", " 诉求内容　", "ＩＤ"]
        let draft = try draft(header, ["GD1", "内容", "7"])
        #expect(draft.ref == "GD1")
        #expect(draft.description == "内容")
        #expect(draft.extra == ["ID": .string("7")])
    }

    @Test func firstListedAliasWinsWhenTheExportHasTwo() throws {
        let draft = try draft(["工单号", "工单编号", "诉求内容"], ["B", "A", "内容"])
        #expect(draft.ref == "A")
        #expect(draft.extra == ["工单号": .string("B")])
    }

    // MARK: values

    @Test func urgentLabelsMapToUrgent() throws {
        #expect(try draft(Self.header, Self.row.replacing(at: 10, with: "特急")).priority == .urgent)
        #expect(try draft(Self.header, Self.row.replacing(at: 10, with: "紧急")).priority == .urgent)
    }

    @Test func normalLabelsAndAnEmptyCellMapToNormal() throws {
        #expect(try draft(Self.header, Self.row.replacing(at: 10, with: "普通")).priority == .normal)
        #expect(try draft(Self.header, Self.row.replacing(at: 10, with: "")).priority == .normal)
    }

    @Test func unknownPriorityLabelIsAnErrorListingTheAcceptedOnes() throws {
        let errors = try rowErrors(Self.header, Self.row.replacing(at: 10, with: "很急"))
        #expect(errors.count == 1)
        #expect(errors.first?.column == 11)
        #expect(errors.first?.header == "紧急程度")
        #expect(errors.first?.reason.contains("\"很急\"") == true)
        #expect(errors.first?.reason.contains("特急") == true)
    }

    @Test func valuesAreTrimmedAndEmptyOnesLeftOut() throws {
        var row = Self.row
        row[3] = "  张先生 "
        row[4] = "   "
        let draft = try draft(Self.header, row)
        #expect(draft.requesterName == "张先生")
        #expect(draft.enterpriseName == nil)
    }

    // MARK: dates

    @Test(arguments: [
        ("2026/2/26 9:13", "2026-02-26T09:13:00+08:00"),
        ("2026-02-26 09:13:05", "2026-02-26T09:13:05+08:00"),
        ("2026年2月26日 9时13分", "2026-02-26T09:13:00+08:00"),
        ("46079.38402777778", "2026-02-26T09:13:00+08:00"),
    ])
    func exportDateFormatsGiveTheExactInstant(text: String, expected: String) throws {
        let draft = try draft(Self.header, Self.row.replacing(at: 1, with: text))
        #expect(draft.reportedAt == instant(expected))
    }

    @Test func badDateIsAnErrorNamingColumnHeaderAndValue() throws {
        let errors = try rowErrors(Self.header, Self.row.replacing(at: 1, with: "2026/13/1 9:00"))
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.column == 2)
        #expect(error.header == "来电时间")
        #expect(error.reason.contains("\"2026/13/1 9:00\""))
        #expect(error.reason.contains("yyyy/M/d H:mm"))
        #expect(error.description.hasPrefix("column 2 (来电时间): "))
    }

    // MARK: required values

    @Test func emptyRequiredValueIsAnError() throws {
        let errors = try rowErrors(Self.header, Self.row.replacing(at: 8, with: " "))
        #expect(errors.map(\.column) == [9])
        #expect(errors.first?.header == "诉求内容")
        #expect(errors.first?.reason.contains("required") == true)
    }

    @Test func everyErrorOfTheRowIsReportedInColumnOrder() throws {
        var row = Self.row
        row[0] = ""
        row[1] = "yesterday"
        row[8] = ""
        row[10] = "?"
        let errors = try rowErrors(Self.header, row)
        #expect(errors.map(\.column) == [1, 2, 9, 11])
    }

    @Test func shortRowTreatsMissingCellsAsEmpty() throws {
        let draft = try draft(["工单编号", "诉求内容", "诉求人", "企业名称"], ["GD1", "内容"])
        #expect(draft.requesterName == nil)
        #expect(draft.enterpriseName == nil)
        #expect(try rowErrors(["工单编号", "诉求人", "诉求内容"], ["GD1", "张"]).map(\.column) == [3])
    }

    // MARK: extra

    @Test func unmappedColumnsLandInExtraUnderTheirHeader() throws {
        let header = Self.header + ["承办单位", "回访结果", "备注"]
        let draft = try draft(header, Self.row + ["区规划局", "满意", ""])
        #expect(draft.extra == ["承办单位": .string("区规划局"), "回访结果": .string("满意")])
    }

    @Test func cellsBeyondTheHeaderGoToExtraByColumnNumber() throws {
        let draft = try draft(Self.header, Self.row + ["多出来的", "", ""])
        #expect(draft.extra == ["column_12": .string("多出来的")])
    }

    /// A row with 100 000 cells became a case with 99 991 `column_N` entries in `extra`.
    @Test func aRowWithMoreCellsBeyondTheHeaderThanTheLimitIsRejected() throws {
        let wide = Self.row + (0..<99_989).map { "c\($0)" }
        let errors = try rowErrors(Self.header, wide)
        #expect(errors.count == 1)
        #expect(errors.first?.column == 12)
        #expect(errors.first?.reason.contains("99989 non-empty cells beyond the header's 11 columns; at most 32") == true, "\(errors)")
        // At the limit, and with any number of empty cells (spreadsheets pad rows), the row is taken.
        let atLimit = try draft(Self.header, Self.row + (0..<32).map { "c\($0)" } + Array(repeating: "", count: 5000))
        #expect(atLimit.extra.count == 32)
        var columns = try columns()
        columns.limits = .init(maxCellsBeyondHeader: 2)
        #expect(columns.draft(Self.row + ["a", "b", "c"]).errors.map(\.column) == [12])
    }

    @Test func aRowWhoseUnmappedCellsHoldTooManyBytesIsRejected() throws {
        let header = Self.header + ["备注"]
        var columns = try columns(header)
        columns.limits = .init(maxExtraBytes: 1000)
        #expect(columns.draft(Self.row + [String(repeating: "长", count: 300)]).draft != nil, "900 bytes")
        let errors = columns.draft(Self.row + [String(repeating: "长", count: 400)]).errors
        #expect(errors.map(\.reason) == ["the unmapped cells hold 1206 bytes; at most 1000 are taken into extra"])
    }

    @Test func unmappedColumnsWithoutOrWithRepeatedNamesStayApart() throws {
        let draft = try draft(["工单编号", "诉求内容", "", "备注", "备注"], ["GD1", "内容", "a", "b", "c"])
        #expect(draft.extra == ["column_3": .string("a"), "备注": .string("b"), "备注 (column_5)": .string("c")])
    }

    // MARK: header rows

    @Test func headerWithoutARequiredFieldNamesItAndItsAcceptedHeaders() throws {
        let result = try shipped().bind(header: ["来电时间", "诉求内容"], timeZone: Self.shanghai)
        guard case .failure(let error) = result else {
            Issue.record("bound a header with no work-order number")
            return
        }
        #expect(error.reason.contains("ref"))
        #expect(error.reason.contains("工单编号, 工单号 or 受理编号"))
        #expect(!error.reason.contains("description"))
    }

    @Test func dataRecordInPlaceOfTheHeaderIsRefused() throws {
        let result = try shipped().bind(header: Self.row, timeZone: Self.shanghai)
        guard case .failure(let error) = result else {
            Issue.record("bound a data record as a header")
            return
        }
        #expect(error.reason.contains("not a header row"))
        #expect(error.reason.contains("GD20260226001"))
        #expect(error.reason.contains("工单编号"))
    }

    // MARK: mistakes in the mapping file

    @Test func yamlSyntaxErrorIsReportedAtItsLine() {
        let found = issues("""
            fields:
              ref: { headers: [工单编号] }
              description: { headers: [诉求内容
            """)
        #expect(found.count == 1)
        // libyaml notices the unclosed list where the text ends.
        #expect(found.first?.line == 4)
        #expect(found.first?.file == "test.yaml")
    }

    @Test func unknownTopLevelOptionIsReportedAtItsLine() {
        let found = issues("""
            fields:
              description: { headers: [诉求内容] }
            date_format: [yyyy-MM-dd]
            """)
        #expect(found.map(\.line) == [3])
        #expect(found.first?.option == "date_format")
    }

    @Test func unknownCanonicalFieldIsReportedAtItsLine() {
        let found = issues("""
            fields:
              description: { headers: [诉求内容] }
              requestor_name: { headers: [诉求人] }
            """)
        #expect(found.map(\.line) == [3])
        #expect(found.first?.column == 3)
        #expect(found.first?.option == "fields.requestor_name")
        #expect(found.first?.message.contains("requester_name") == true)
    }

    @Test func unknownFieldOptionIsReportedAtItsLine() {
        let found = issues("""
            fields:
              description:
                headers: [诉求内容]
                requird: true
            """)
        #expect(found.map(\.line) == [4])
        #expect(found.first?.option == "fields.description.requird")
    }

    @Test func fieldWithoutHeadersIsReported() {
        let found = issues("""
            fields:
              description: { headers: [诉求内容] }
              subject: { headers: [] }
              district: { required: false }
            """)
        #expect(found.map(\.line) == [3, 4])
        #expect(found.map(\.option) == ["fields.subject.headers", "fields.district.headers"])
    }

    @Test func headerClaimedByTwoFieldsIsReportedAtTheSecond() {
        let found = issues("""
            fields:
              description: { headers: [诉求内容] }
              subject: { headers: [诉求标题, 标题] }
              category:
                headers:
                  - 诉求类型
                  - 标题
            """)
        #expect(found.map(\.line) == [7])
        #expect(found.first?.message.contains("fields.subject (line 3)") == true)
    }

    @Test func badTypeIsReported() {
        let found = issues("""
            fields:
              description: { headers: [诉求内容] }
              reported_at: { headers: [来电时间], type: date }
              subject: { headers: [标题], type: datetime }
            """)
        #expect(found.map(\.line) == [3, 4])
        #expect(found.map(\.option) == ["fields.reported_at.type", "fields.subject.type"])
    }

    @Test func valueMapToAnythingButUrgentOrNormalIsReportedAtTheValue() {
        let found = issues("""
            fields:
              description: { headers: [诉求内容] }
              priority:
                headers: [紧急程度]
                values:
                  特急: urgent
                  加急: high
            """)
        #expect(found.map(\.line) == [7])
        #expect(found.first?.column == 11)
        #expect(found.first?.option == "fields.priority.values.加急")
        #expect(found.first?.message.contains("urgent or normal") == true)
    }

    @Test func unknownDateFormatTokenIsReportedAtTheFormat() {
        let found = issues("""
            fields:
              description: { headers: [诉求内容] }
            date_formats:
              - yyyy-MM-dd
              - YYYY/M/d hh:mm
            """)
        #expect(found.map(\.line) == [5])
        #expect(found.first?.option == "date_formats[1]")
        #expect(found.first?.message.contains("\"YYYY\"") == true)
    }

    @Test func duplicateKeyIsReportedAtTheRepetition() {
        let found = issues("""
            fields:
              description: { headers: [诉求内容] }
              subject: { headers: [标题] }
              description: { headers: [来电内容] }
            """)
        #expect(found.map(\.line) == [4])
        #expect(found.first?.option == "description")
    }

    @Test func missingDescriptionIsReported() {
        let found = issues("""
            fields:
              ref: { headers: [工单编号] }
            """)
        #expect(found.map(\.option) == ["fields.description"])
        #expect(found.first?.line == 1)
    }

    @Test func everyMistakeIsReportedNotJustTheFirst() {
        let found = issues("""
            fields:
              description: { headers: [诉求内容], required: false }
              colour: { headers: [颜色] }
              priority: { headers: [紧急程度], default: high }
            """)
        #expect(found.map(\.line) == [2, 3, 4])
    }

    @Test func issueDescriptionShowsFileLineColumnAndOption() {
        let issue = ConfigurationIssue(file: "channels/hotline.yaml", line: 12, column: 5, option: "fields.priority.values", message: "bad")
        #expect(issue.description == "channels/hotline.yaml:12:5: fields.priority.values: bad")
    }
}

extension Array where Element == String {
    fileprivate func replacing(at index: Int, with value: String) -> [String] {
        var copy = self
        copy[index] = value
        return copy
    }
}
