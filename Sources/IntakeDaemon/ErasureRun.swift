import Foundation
import IntakeCore
import IntakeStore

/// `intake erase`: the selectors as an administrator types them, made canonical the way
/// cases store them (a phone through the zone's normalisation, a USCC folded), then the
/// store's erasure, reported as text or JSON.
public enum ErasureRun {
    public struct Request: Sendable {
        public var phones: [String] = []
        public var emails: [String] = []
        public var usccs: [String] = []
        public var caseIDs: [String] = []
        public var refs: [String] = []
        public var reason = ""
        public var actor = ""
        public var dryRun = false

        public init() {}

        public var isEmpty: Bool { phones.isEmpty && emails.isEmpty && usccs.isEmpty && caseIDs.isEmpty && refs.isEmpty }
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// The selectors of `request`, canonical; an unusable one is refused with what is wrong.
    public static func selectors(_ request: Request, defaultAreaCode: String) throws -> [ErasureSelector] {
        guard !request.isEmpty else { throw Invalid(description: "name at least one of --phone, --email, --uscc, --case, --ref") }
        guard !request.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Invalid(description: "--reason is required: it is kept with the tombstone")
        }
        var selectors: [ErasureSelector] = []
        for given in request.phones {
            let phone = PhoneNumber(given, defaultAreaCode: defaultAreaCode)
            guard let e164 = phone.e164 else { throw Invalid(description: "--phone \"\(given)\" is not a phone number") }
            // National significant digits: +8613812345678 → 13812345678; +862266290000 → 2266290000.
            let digits = e164.hasPrefix("+86") ? String(e164.dropFirst(3)) : String(e164.dropFirst())
            selectors.append(.phone(canonical: e164, digits: digits))
        }
        for given in request.emails {
            let address = given.trimmingCharacters(in: .whitespaces)
            guard address.contains("@"), address.count >= 3 else { throw Invalid(description: "--email \"\(given)\" is not an address") }
            selectors.append(.email(address))
        }
        for given in request.usccs {
            let code = USCC(given).code
            guard code.count == 18 else { throw Invalid(description: "--uscc \"\(given)\" is not an 18-character code") }
            selectors.append(.uscc(code))
        }
        selectors += request.caseIDs.map(ErasureSelector.caseID) + request.refs.map(ErasureSelector.ref)
        return selectors
    }

    public static func erase(configuration: LoadedConfiguration, _ request: Request) async throws -> ErasureReport {
        let selectors = try selectors(request, defaultAreaCode: configuration.settings.zone.defaultAreaCode)
        let database = try configuration.openDatabase()
        defer { database.close() }
        let blobs = try BlobStore(root: URL(fileURLWithPath: configuration.settings.store.blobDir))
        return try await database.erase(
            selectors, reason: request.reason, actor: request.actor, blobs: blobs, timestamps: Timestamp(timeZone: configuration.timeZone),
            dryRun: request.dryRun)
    }

    public static func text(_ report: ErasureReport) -> String {
        var lines: [String] = []
        if report.matched.isEmpty {
            lines.append(report.alreadyErased.isEmpty ? "no case matches" : "nothing to erase")
        } else {
            lines.append("\(report.dryRun ? "would erase" : "erased") \(report.matched.count) case(s)\(report.dryRun ? " (dry run: nothing changed)" : ""):")
            lines.append(TextTable.render(
                header: ["CASE", "SOURCE", "REF", "MATCHED BY"],
                rows: report.matched.map { [$0.caseID, "\($0.channel)/\($0.source)", $0.ref, $0.matchedBy.joined(separator: ", ")] }))
            lines.append("raw inputs retired \(report.rawInputsRetired) · blobs \(report.blobsRemoved) · trace rows scrubbed \(report.traceRowsScrubbed)"
                + " · quarantine rows scrubbed \(report.quarantineRowsScrubbed) · dedup rows \(report.dedupRowsRemoved)"
                + " · case.erased events \(report.dryRun ? "to queue" : "queued") \(report.eventsQueued)")
        }
        if !report.alreadyErased.isEmpty { lines.append("erased before: \(report.alreadyErased.joined(separator: ", "))") }
        if report.sharedRawInputCases > 0 {
            lines.append("the raw input of \(report.sharedRawInputCases) other case(s) went too (one file or message held them); their cases are kept")
        }
        if !report.archivedFiles.isEmpty {
            lines.append("outside the store: remove the archived spool file(s) \(report.archivedFiles.joined(separator: ", ")) (archive/, and their reports)")
        }
        if !report.walTruncated {
            lines.append("the WAL could not be truncated now (a reader held it): the old pages stay in it until the daemon's next checkpoint")
        }
        return lines.joined(separator: "\n")
    }

    public static func json(_ report: ErasureReport) -> String {
        JSONValue.object([
            "dry_run": .bool(report.dryRun),
            "matched": .array(report.matched.map { match in
                .object([
                    "case_id": .string(match.caseID), "channel": .string(match.channel), "source": .string(match.source),
                    "ref": .string(match.ref), "matched_by": .array(match.matchedBy.map(JSONValue.string)),
                ])
            }),
            "already_erased": .array(report.alreadyErased.map(JSONValue.string)),
            "raw_inputs_retired": .number(Double(report.rawInputsRetired)), "shared_raw_input_cases": .number(Double(report.sharedRawInputCases)),
            "blobs_removed": .number(Double(report.blobsRemoved)), "trace_rows_scrubbed": .number(Double(report.traceRowsScrubbed)),
            "quarantine_rows_scrubbed": .number(Double(report.quarantineRowsScrubbed)),
            "dedup_rows_removed": .number(Double(report.dedupRowsRemoved)), "events_queued": .number(Double(report.eventsQueued)),
            "archived_files": .array(report.archivedFiles.map(JSONValue.string)), "wal_truncated": .bool(report.walTruncated),
        ]).serialized()
    }
}
