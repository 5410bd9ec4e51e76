import ArgumentParser
import IntakeDaemon

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Outbox depth, recent deliveries, dead letters, and the last activity of each sink and channel.")

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let report = try StatusReport(configuration: loadOrExplain(options.config))
        print(json ? report.json() : report.text())
    }
}
