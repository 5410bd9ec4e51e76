import ArgumentParser
import Foundation
import IntakeDaemon
import IntakeStore

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the running store (database and blobs) into a new directory, or check a copy.",
        discussion: """
            DEST receives intake.sqlite and blobs/, the layout of store.path and store.blob_dir; intake \
            goes on taking requests meanwhile. With --verify, DEST is an existing copy: its integrity is \
            checked and every blob it names is hashed. Exits 1 when a copy is not whole.
            """)

    @OptionGroup var options: ConfigOption
    @Argument(help: "The backup directory (new or empty; an existing copy with --verify).") var dest: String
    @Flag(help: "Check an existing copy instead of making one.") var verify = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let directory = URL(fileURLWithPath: dest)
        let summary: StoreBackup.Summary
        do {
            summary = verify
                ? try StoreBackup.verify(directory)
                : try BackupRun.backup(configuration: loadOrExplain(options.config), to: directory)
        } catch let failure as StoreBackup.Failure {
            var standardError = StandardError()
            print(failure.description, to: &standardError)
            throw ExitCode(2)
        }
        print(json ? BackupRun.json(summary, directory: directory)
              : BackupRun.text(summary, directory: directory, verb: verify ? "checked" : "backed up to"))
        if !summary.problems.isEmpty { throw ExitCode(1) }
    }
}
