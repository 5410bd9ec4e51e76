import Foundation
import IntakeTestSupport
import Testing

/// Every case leaves with a category, a department hint and a due date from the shipped
/// taxonomy and holiday file.
@Suite struct ClassificationTests {
    @Test func aWebhookCaseIsClassifiedBySourceCategoryAndDueInWorkingDays() async throws {
        let daemon = try await TestDaemon.start()
        let answer = try await daemon.postSigned(sampleRequest(ref: "classify-1"), key: "classify-1")
        #expect(answer.status == 202)
        let file = try #require(try await daemon.environment.waitForEventFiles(count: 1).first)
        let body = try caseOf(daemon.environment, file)
        let category = try #require(body.category)
        #expect(category.code == "land")
        #expect(category.label == "土地")
        #expect(category.by == .source)
        #expect(body.department == "规划和自然资源局")
        // Reported Thursday 2026-02-26; 10 working days counting Saturday 2/28, a make-up
        // working day after 春节: due Wednesday 3/11 at the end of the working day.
        #expect(body.dueAt == "2026-03-11T17:30:00+08:00")
        let steps = try daemon.database.traceEntries(for: "classify-1")
        #expect(steps.first { $0.step == "normalised" }?.detail?.contains("\"category\"") == true)
        await daemon.stop()
    }

    @Test func withoutASourceCategoryTheModelDecidesAndClassifyExplainsIt() throws {
        let environment = try TestEnvironment()
        let result = try runCLI([
            "classify", "--text", "新建涂装车间的环评报告已受理，想确认环评批复的预计时间。", "--config", environment.configPath,
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("category     environment"), "\(result.output)")
        #expect(result.output.contains("decided by   model"), "\(result.output)")
        #expect(result.output.contains("环评:3"), "the keywords that weighed: \(result.output)")
        #expect(result.output.contains("~"), "the n-grams that weighed: \(result.output)")
    }
}
