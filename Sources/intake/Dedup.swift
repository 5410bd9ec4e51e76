import ArgumentParser
import IntakeDaemon

struct Dedup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cross-channel deduplication decisions.",
        subcommands: [Explain.self])

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the candidates a case was compared with, their similarities, and the decision.",
            discussion: "ID is a case id or a source ref. The decision is the one recorded when the case was taken.")

        @OptionGroup var options: ConfigOption
        @Argument(help: "Case id or source ref.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let report = try DedupReport(configuration: loadOrExplain(options.config), id: id)
            guard report.decision != nil else {
                var standardError = StandardError()
                print("no deduplication decision recorded for \"\(id)\" (taken with dedup off, a follow-up, or unknown)", to: &standardError)
                throw ExitCode(2)
            }
            print(json ? report.json() : report.text())
        }
    }
}
