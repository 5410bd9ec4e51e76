import Foundation
import IntakeCore
import IntakePipeline
import Testing

/// The repository's `channels/` folder, found from this file's path.
let channelsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("channels")

@Suite struct TaxonomyTests {
    let taxonomy: Taxonomy
    let classifier: Classifier

    init() throws {
        taxonomy = try Taxonomy.load(path: channelsDirectory.appendingPathComponent("taxonomy.yaml").path)
        classifier = Classifier(taxonomy: taxonomy)
    }

    @Test func shippedTaxonomyLoadsWithTheRequiredCategories() {
        let labels = Set(taxonomy.categories.map(\.label))
        for label in ["规划", "土地", "审批/证照", "环保", "人才", "资金/融资", "政策咨询", "税务", "用工/社保", "水电气热/基础设施", "知识产权", "其他"] {
            #expect(labels.contains(label), "missing \(label)")
        }
        #expect(taxonomy.defaultCategory.code == "other")
        #expect(taxonomy.categories.allSatisfy { $0.department != nil })
    }

    @Test(arguments: [("土地", "land"), ("人才", "talent"), ("资金", "finance"), ("环保", "environment"), ("政策", "policy")])
    func hotlineFixtureCategoriesMapBySource(source: String, code: String) {
        // The fixture texts would score for other categories (e.g. 加计扣除 → tax): the source wins.
        let result = classifier.classify(sourceCategory: source, subject: "研发费用加计扣除", description: "咨询研发费用加计扣除政策在本区的执行口径。")
        #expect(result.category == Category(code: code, label: taxonomy.category(code: code)!.label, by: .source))
        #expect(result.matchedTerms == [source])
    }

    @Test func sourceCategoryIsNormalisedBeforeLookup() {
        let result = classifier.classify(sourceCategory: "  土地使用\u{3000}", subject: nil, description: "无")
        #expect(result.category.code == "land")
        #expect(result.category.by == .source)
    }

    @Test func unknownSourceCategoryFallsThroughToKeywords() {
        let result = classifier.classify(sourceCategory: "营商环境", subject: "环评批复", description: "新建涂装车间的环评报告已受理，想确认批复的预计时间。")
        #expect(result.category.code == "environment")
        #expect(result.category.by == .rules)
        #expect(result.matchedTerms == ["环评:3"])
        #expect(result.score == 3)
        #expect(result.department == "生态环境局")
        #expect(result.deadlineWorkingDays == 10)
    }

    @Test func keywordWeightsAreSummedAcrossSubjectAndDescription() {
        let result = classifier.classify(sourceCategory: nil, subject: "技改补贴拨付", description: "去年的技术改造补贴至今未拨付，补贴请协调财政部门尽快处理。")
        #expect(result.category.code == "finance")
        #expect(result.category.by == .rules)
        // Each keyword counts once however often it occurs.
        #expect(result.matchedTerms == ["补贴:3", "拨付:3"])
        #expect(result.score == 6)
    }

    @Test func keywordsMatchFullWidthAndCaseFolded() {
        let result = classifier.classify(sourceCategory: nil, subject: nil, description: "车间ｖｏｃｓ排放超标")
        #expect(result.category.code == "environment")
        #expect(result.matchedTerms == ["VOCs:3"])
    }

    @Test func defaultWhenNothingMatches() {
        let result = classifier.classify(sourceCategory: nil, subject: "感谢信", description: "感谢各位工作人员的热情帮助。")
        #expect(result.category == Category(code: "other", label: "其他", by: .default))
        #expect(result.matchedTerms.isEmpty)
        #expect(result.deadlineWorkingDays == 15)
    }

    @Test func defaultWhenTheBestScoreIsBelowTheMinimum() {
        let result = classifier.classify(sourceCategory: nil, subject: nil, description: "想咨询一下")
        #expect(result.category.by == .default)
        #expect(result.score == 1)
    }

    @Test func tiesGoToTheCategoryListedFirst() throws {
        let taxonomy = try Taxonomy.parse("""
            default: b
            categories:
              - { code: a, label: 甲, keywords: { 厂房: 2 }, deadline_working_days: 5 }
              - { code: b, label: 乙, keywords: { 用地: 2 }, deadline_working_days: 5 }
            """)
        let result = Classifier(taxonomy: taxonomy).classify(sourceCategory: nil, subject: nil, description: "用地和厂房")
        #expect(result.category.code == "a")
    }

    @Test func mistakesAreReportedWithTheirLine() {
        let text = """
            minimum_score: 2
            default: nowhere
            categories:
              - code: land
                label: 土地
                synonyms: [土地]
                keywords: { 用地指标: 3, 出让: heavy }
                deadline_working_days: 10
              - code: planning
                label: 规划
                synonyms: [ 土地 ]
                colour: red
              - code: land
                label: 又一个
                deadline_working_days: 5
            """
        #expect {
            try Taxonomy.parse(text, file: "t.yaml")
        } throws: { error in
            guard let error = error as? TaxonomyError else { return false }
            let found = error.issues.map { "\($0.line ?? 0):\($0.option)" }
            return found.contains("7:categories[0].keywords.出让")
                && found.contains("11:categories[1].synonyms")
                && found.contains("12:categories[1].colour")
                && found.contains("9:categories[1].deadline_working_days")
                && found.contains("13:categories[2].code")
                && found.contains("2:default")
                && error.issues.allSatisfy { $0.file == "t.yaml" && $0.column != nil }
        }
    }

    @Test func syntaxErrorsAreReportedWithTheirLine() {
        #expect {
            try Taxonomy.parse("default: other\ncategories:\n  - code: [unclosed\n", file: "t.yaml")
        } throws: { error in
            guard let issue = (error as? TaxonomyError)?.issues.first else { return false }
            return issue.line != nil && issue.file == "t.yaml"
        }
    }
}
