import Foundation
import IntakeCore
import Testing
@testable import IntakePipeline

/// The examples model: trained on `channels/classification_examples.tsv`, keywords as priors.
@Suite struct ExampleModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let taxonomy = try! Taxonomy.load(path: root.appendingPathComponent("channels/taxonomy.yaml").path)
    static let examples = try! ClassificationExample.load(path: root.appendingPathComponent("channels/classification_examples.tsv").path, taxonomy: taxonomy)
    static let classifier = Classifier(taxonomy: taxonomy, examples: examples)

    func code(_ text: String) -> String { Self.classifier.classify(sourceCategory: nil, subject: nil, description: text).category.code }

    @Test func theShippedExamplesLoadAndTrainAModel() {
        #expect(Self.examples.count >= 400)
        #expect(Self.classifier.model?.exampleCount == Self.examples.count)
    }

    /// The same word in two senses: a person's 落户 is talent, a company's is policy; 验收 of
    /// the environment is environment, of fire safety permits.
    @Test(arguments: [
        ("我们新招的两名硕士想办理人才落户，需要准备哪些材料？", "talent"),
        ("我公司计划整体迁来开发区，想了解企业落户有哪些奖励政策。", "policy"),
        ("项目竣工后的环保验收需要提交哪些监测报告？", "environment"),
        ("新厂房的消防验收一直没有安排，影响我们投产。", "permits"),
    ])
    func wordsWhoseSenseDependsOnContextAreReadInContext(text: String, expected: String) {
        #expect(code(text) == expected, "\(text)")
    }

    /// Everyday words the keywords alone missed (the model learned them from examples).
    @Test(arguments: [
        ("厂区门口的路面坑坑洼洼，货车进出很困难。", "utilities"),
        ("公司锅炉和电梯的年度检验怎么预约？", "permits"),
        ("离职员工带走了我们的客户资料和配方，这算不算侵犯商业秘密？", "ip"),
    ])
    func everydayWordingIsClassified(text: String, expected: String) {
        #expect(code(text) == expected, "\(text)")
    }

    /// Traditional characters are read as simplified, by the keywords and the model alike.
    @Test func aDemandInTraditionalCharactersIsClassifiedLikeItsSimplifiedForm() {
        let simplified = "我们新招的两名硕士想办理人才落户，需要准备哪些材料？"
        let traditional = "我們新招的兩名碩士想辦理人才落戶，需要準備哪些材料？"
        let a = Self.classifier.classify(sourceCategory: nil, subject: nil, description: simplified)
        let b = Self.classifier.classify(sourceCategory: nil, subject: nil, description: traditional)
        #expect(a.category.code == "talent")
        #expect(b.category.code == a.category.code)
        #expect(b.matchedTerms == a.matchedTerms)
    }

    @Test func theDecisionIsExplainedByKeywordsAndNGrams() {
        let result = Self.classifier.classify(sourceCategory: nil, subject: nil, description: "新建涂装车间的环评报告已受理，想确认环评批复的预计时间。")
        #expect(result.category.by == .model)
        #expect(result.matchedTerms.contains("环评:3"))
        #expect(result.matchedTerms.contains { $0.hasPrefix("~") })
    }

    @Test func withoutExamplesKeywordsDecideAsBefore() {
        let rules = Classifier(taxonomy: Self.taxonomy)
        #expect(rules.model == nil)
        #expect(rules.classify(sourceCategory: nil, subject: nil, description: "新建涂装车间的环评报告已受理").category.by == .rules)
    }

    @Test func mistakesInTheExamplesFileAreReportedWithTheirLine() {
        let text = "# comment\ncategory\ttext\nland\t用地指标不够\nroads\t路灯坏了\nno tab here\nland\t   \n"
        do {
            _ = try ClassificationExample.parse(text, file: "examples.tsv", taxonomy: Self.taxonomy)
            Issue.record("accepted a file with mistakes")
        } catch {
            let lines = error.issues.map(\.line)
            #expect(lines == [4, 5, 6], "\(error.issues)")
            #expect(error.issues.first?.message.contains("unknown category \"roads\"") == true)
        }
    }
}
