import ArgumentParser
import IntakeDaemon

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the configuration; print each mistake with its file and line.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        let loaded = try loadOrExplain(options.config)
        print(ConfigurationSummary(loaded).text)
    }
}
