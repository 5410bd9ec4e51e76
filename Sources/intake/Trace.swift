import ArgumentParser
import IntakeDaemon

struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every step of a case, from raw input to delivery.",
        discussion: "ID is a case id or a source ref (a webhook ref or Idempotency-Key, an email's Message-ID with or without its angle brackets); refused requests are found by their Idempotency-Key.")

    @OptionGroup var options: ConfigOption

    @Argument(help: "Case id or source ref.")
    var id: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let loaded = try loadOrExplain(options.config)
        let report = try TraceReport(configuration: loaded, id: id)
        guard !report.entries.isEmpty else {
            var standardError = StandardError()
            print("no trace for \"\(id)\"", to: &standardError)
            throw ExitCode(2)
        }
        print(json ? report.json() : report.table())
    }
}
