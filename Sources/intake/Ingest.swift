import ArgumentParser
import Foundation
import IntakeDaemon
#if canImport(Glibc)
import Glibc
#endif

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take one hotline export file now, in place, and print what became of its rows.",
        discussion: """
            Rows already taken (the same work-order number with the same content) are counted as duplicates and \
            create nothing; rejected rows are written to FILE.errors.csv beside the file and to the quarantine.
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: "The hotline source (hotline.sources[].name) whose mapping applies.") var channel: String
    @Argument(help: "The export file (CSV or TSV; UTF-8, UTF-16 or GB18030).") var file: String

    func run() async throws {
        let admin = try HotlineAdmin(configuration: loadOrExplain(options.config))
        defer { admin.close() }
        guard FileManager.default.isReadableFile(atPath: file) else {
            var standardError = StandardError()
            print("cannot read \(file)", to: &standardError)
            throw ExitCode(2)
        }
        var progress: (@Sendable (Int, Int) -> Void)?
        let bar = isatty(STDERR_FILENO) == 1 ? ProgressBar() : nil
        if let bar { progress = { done, total in bar.show(done, of: total) } }
        let summary = try await admin.ingest(channel: channel, file: file, progress: progress)
        bar?.finish()
        print(HotlineAdmin.describe(summary))
        if summary.quarantinedReason != nil { throw ExitCode(1) }
    }
}

/// `[#########-----------]  45%  12.3 MiB of 27.0 MiB` on standard error, redrawn in place.
final class ProgressBar: Sendable {
    func show(_ done: Int, of total: Int) {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandleOutput.writeToStandardError(String(
            format: "\r[%@] %3d%%  %.1f MiB of %.1f MiB", bar, Int(fraction * 100), Double(done) / 1_048_576, Double(total) / 1_048_576))
    }

    func finish() {
        FileHandleOutput.writeToStandardError("\n")
    }
}
