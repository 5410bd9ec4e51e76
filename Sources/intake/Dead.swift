import ArgumentParser
import Foundation
import IntakeCore
import IntakeDaemon
#if canImport(Glibc)
import Glibc
#endif

struct Dead: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and replay dead letters: events whose delivery gave up.",
        subcommands: [List.self, Show.self, Replay.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters, oldest first.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Only those dead since this RFC 3339 time.", transform: parseTime) var since: Date?
        @Option(help: "Only those of this channel (webhook, email, hotline, visit).") var channel: String?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            let report = try DeadLetterReport(configuration: loadOrExplain(options.config))
            defer { report.close() }
            print(try report.list(since: since, channel: channel, json: json))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a dead letter: the event and every attempt with its outcome.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Dead letter id (from `dead list`) or idempotency key.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let report = try DeadLetterReport(configuration: loadOrExplain(options.config))
            defer { report.close() }
            guard let text = try report.show(id, json: json) else {
                var standardError = StandardError()
                print("no dead letter \"\(id)\"", to: &standardError)
                throw ExitCode(2)
            }
            print(text)
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue dead letters again, with their idempotency keys; the running daemon picks them up within a second.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Dead letter ids or idempotency keys.") var ids: [String] = []
        @Flag(help: "Replay every dead letter.") var all = false
        @Option(help: "Replay those dead since this RFC 3339 time.", transform: parseTime) var since: Date?

        func validate() throws {
            if ids.isEmpty, !all, since == nil { throw ValidationError("name dead letters to replay, or use --all or --since") }
        }

        func run() async throws {
            let report = try DeadLetterReport(configuration: loadOrExplain(options.config))
            defer { report.close() }
            let result = try await report.replay(ids: ids, all: all, since: since, actor: operatingUser())
            print("replayed \(result.replayed.count) dead letter(s)" + (result.replayed.isEmpty ? "" : ": " + result.replayed.map(String.init).joined(separator: ", ")))
            if !result.unknown.isEmpty {
                var standardError = StandardError()
                print("not dead letters: \(result.unknown.joined(separator: ", "))", to: &standardError)
                throw ExitCode(2)
            }
        }
    }
}

func parseTime(_ text: String) throws -> Date {
    guard let date = Timestamp.parse(text) else { throw ValidationError("\"\(text)\" is not an RFC 3339 time with offset, e.g. 2026-02-26T09:00:00+08:00") }
    return date
}

/// Who runs the command, for the trace: the sudo caller if any, else the effective user.
func operatingUser() -> String {
    if let user = ProcessInfo.processInfo.environment["SUDO_USER"], !user.isEmpty { return user }
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
    return "uid \(geteuid())"
}
