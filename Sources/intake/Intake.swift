import ArgumentParser

@main
struct Intake: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "The intake gateway: one front door for webhook, email, hotline and visit requests.",
        subcommands: [
            Run.self, Check.self, Status.self, Trace.self, Dead.self, Ingest.self, Quarantine.self, Classify.self, Dedup.self, Retention.self, Backup.self, Erase.self, Admin.self,
        ])
}

/// `--config PATH`, shared by every subcommand.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config: String = "deploy/intake.dev.yaml"
}
