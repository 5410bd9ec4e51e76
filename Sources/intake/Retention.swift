import ArgumentParser
import Foundation
import IntakeDaemon

struct Retention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the retention horizons (`retention:`) now, as the daemon's sweeper does.",
        subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one sweep and print what it removed, per kind, with bytes.",
            discussion: """
                --as-of judges the horizons as of a later time, to rehearse a policy (with --dry-run) \
                without waiting. Blob files are always judged by their real age.
                """)
        @OptionGroup var options: ConfigOption
        @Flag(help: "Count what would be removed; change nothing.") var dryRun = false
        @Option(help: "Judge the horizons as of this RFC 3339 time.", transform: parseTime) var asOf: Date?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let sweep = try RetentionRun(configuration: loadOrExplain(options.config))
            defer { sweep.close() }
            print(try await sweep.run(asOf: asOf, dryRun: dryRun, json: json))
        }
    }
}
