import ArgumentParser
import Foundation
import IntakeDaemon
import IntakeStore

struct Erase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase the personal data of the matching cases, on a deletion request (PIPL).",
        discussion: """
            Each matching case becomes a tombstone (ids, channel, source, ref, category, dates, who \
            erased it, when and why); its raw input and attachments, its identity keys in the \
            deduplication index and the names and numbers in its trace go, and case.erased is queued \
            for the routing queue. Selectors add up: every case any of them names is erased. Run with \
            --dry-run first. Works beside a running daemon.
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: "A requester's phone number, as written anywhere (normalised like cases).") var phone: [String] = []
    @Option(help: "A requester's email address.") var email: [String] = []
    @Option(help: "An enterprise's 统一社会信用代码.") var uscc: [String] = []
    @Option(name: .customLong("case"), help: "A case id.") var caseID: [String] = []
    @Option(help: "A source ref (webhook ref, work-order number, Message-ID, visit id).") var ref: [String] = []
    @Option(help: "Why: the request's reference or ground; kept with the tombstone.") var reason: String = ""
    @Flag(help: "Show what would be erased; change nothing.") var dryRun = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var request = ErasureRun.Request()
        request.phones = phone
        request.emails = email
        request.usccs = uscc
        request.caseIDs = caseID
        request.refs = ref
        request.reason = reason
        request.actor = operatingUser()
        request.dryRun = dryRun
        let report: ErasureReport
        do {
            report = try await ErasureRun.erase(configuration: loadOrExplain(options.config), request)
        } catch let invalid as ErasureRun.Invalid {
            var standardError = StandardError()
            print(invalid.description, to: &standardError)
            throw ExitCode(2)
        }
        print(json ? ErasureRun.json(report) : ErasureRun.text(report))
        if report.matched.isEmpty && report.alreadyErased.isEmpty { throw ExitCode(1) }
    }
}
