import ArgumentParser
import Foundation
import IntakeDaemon

struct Quarantine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Input that could not become a case: list it, look at it, and take it again once the mapping is fixed.",
        subcommands: [List.self, Show.self, Reprocess.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List quarantined rows and files, oldest first.")
        @OptionGroup var options: ConfigOption
        @Flag(help: "Include entries already reprocessed.") var all = false
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            let admin = try HotlineAdmin(configuration: loadOrExplain(options.config))
            defer { admin.close() }
            print(try admin.list(all: all, json: json))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one entry: the reason, and the row cell by cell under its header.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The entry's id (from `quarantine list`).") var id: Int64
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let admin = try HotlineAdmin(configuration: loadOrExplain(options.config))
            defer { admin.close() }
            guard let text = try admin.show(id, json: json) else {
                var standardError = StandardError()
                print("no quarantine entry \(id)", to: &standardError)
                throw ExitCode(2)
            }
            print(text)
        }
    }

    struct Reprocess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map quarantined rows again with the current mapping (a whole file is taken again); what passes becomes a case.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Entry ids.") var ids: [Int64] = []
        @Flag(help: "Every open entry.") var all = false

        func validate() throws {
            if ids.isEmpty, !all { throw ValidationError("name entries to reprocess, or use --all") }
        }

        func run() async throws {
            let admin = try HotlineAdmin(configuration: loadOrExplain(options.config))
            defer { admin.close() }
            let outcomes = try await admin.reprocess(ids: ids, all: all, actor: operatingUser())
            for outcome in outcomes { print("\(outcome.id): \(outcome.message)") }
            if outcomes.contains(where: { !$0.resolved }) { throw ExitCode(1) }
        }
    }
}
