import ArgumentParser
import Foundation
import IntakeDaemon

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how a text would be classified: category, how it was decided, the matched terms, department and deadline.")

    @OptionGroup var options: ConfigOption
    @Option(help: "The request text.") var text: String
    @Option(help: "A subject line.") var subject: String?
    @Option(help: "The source's own category label (e.g. a hotline 诉求类型).") var sourceCategory: String?
    @Flag(help: "Count the deadline as urgent (halved).") var urgent = false

    func run() throws {
        let loaded = try loadOrExplain(options.config)
        guard let report = ClassificationReport(configuration: loaded) else {
            var standardError = StandardError()
            print("no taxonomy configured (classification.taxonomy)", to: &standardError)
            throw ExitCode(2)
        }
        print(report.explain(text: text, subject: subject, sourceCategory: sourceCategory, urgent: urgent))
    }
}
