import Foundation
import GRDB
import IntakeCore
import IntakePipeline
#if canImport(Glibc)
import Glibc
#endif

/// Which cases an erasure request names (`intake erase --phone … --email …`).
public enum ErasureSelector: Sendable, Hashable, CustomStringConvertible {
    /// A phone number: its canonical form (E.164 as cases store it) and its national digits,
    /// which find the number written into free text too.
    case phone(canonical: String, digits: String)
    case email(String)
    case uscc(String)
    case caseID(String)
    case ref(String)

    public var description: String {
        switch self {
        case .phone(let canonical, _): "phone \(canonical)"
        case .email(let address): "email \(address)"
        case .uscc(let code): "uscc \(code)"
        case .caseID(let id): "case \(id)"
        case .ref(let ref): "ref \(ref)"
        }
    }
}

/// What an erasure removed (or, in a dry run, would remove).
public struct ErasureReport: Sendable, Hashable {
    public struct Match: Sendable, Hashable {
        public let caseID: String
        public let channel: String
        public let source: String
        public let ref: String
        /// The selectors that found it (`phone +86…`, `phone +86… (in the text)`).
        public let matchedBy: [String]
    }

    public var dryRun: Bool
    public var matched: [Match] = []
    /// Cases the request names that were erased before: nothing more to do.
    public var alreadyErased: [String] = []
    public var rawInputsRetired = 0
    /// Other cases whose raw input (a hotline file, a message with several demands) went
    /// with an erased case's: their canonical fields stay.
    public var sharedRawInputCases = 0
    public var blobsRemoved = 0
    public var traceRowsScrubbed = 0
    public var quarantineRowsScrubbed = 0
    public var dedupRowsRemoved = 0
    public var eventsQueued = 0
    /// Hotline and visit file names whose raw bytes were retired: their archived copies in
    /// the spool's `archive/` lie outside the store and are the operator's to remove.
    public var archivedFiles: [String] = []
    /// False when the WAL could not be checkpointed and truncated (a reader held it): the
    /// old page versions stay in it until the next checkpoint.
    public var walTruncated = true
}

extension IntakeDatabase {
    /// The placeholder an erased case's description becomes (the schema requires one).
    public static let erasedDescription = "（个人信息已依申请删除）"

    /// Erases the personal data of the cases `selectors` name: each case becomes its
    /// tombstone (ids, channel, source, ref, category, dates, `erased`), its raw input bytes
    /// and attachments go, its identity keys leave the deduplication index, and names and
    /// numbers in its trace details and quarantine rows are replaced; an `erased` trace step
    /// and a `case.erased` event are written. One transaction per case through the group
    /// committer, with SQLite's `secure_delete` on so that removed bytes are zeroed, then a
    /// truncating WAL checkpoint. The ledger stays: a re-send of an erased case's ref is a
    /// repeat, not a new case with the same personal data.
    public func erase(
        _ selectors: [ErasureSelector], reason: String, actor: String, blobs: BlobStore, timestamps: Timestamp, dryRun: Bool = false
    ) async throws -> ErasureReport {
        var report = ErasureReport(dryRun: dryRun)
        let found = try await pool.read { db in try Self.matches(selectors, in: db) }
        for (caseID, matchedBy) in found {
            let erasedAt = timestamps.format(now())
            let outcome = try await (dryRun ? pool.read { db in
                try CaseErasure.Step(db: db, caseID: caseID, write: false).run(reason: reason, actor: actor, at: erasedAt, blobs: blobs)
            } : committer.perform { [dedupIndex] db in
                try db.execute(sql: "PRAGMA secure_delete = ON")
                defer { try? db.execute(sql: "PRAGMA secure_delete = OFF") }
                var step = CaseErasure.Step(db: db, caseID: caseID, write: true)
                step.dedupIndex = dedupIndex
                return try step.run(reason: reason, actor: actor, at: erasedAt, blobs: blobs)
            })
            guard let outcome else {
                report.alreadyErased.append(caseID)
                continue
            }
            report.matched.append(ErasureReport.Match(
                caseID: caseID, channel: outcome.channel, source: outcome.source, ref: outcome.ref, matchedBy: matchedBy))
            report.rawInputsRetired += outcome.rawRetired ? 1 : 0
            report.sharedRawInputCases += outcome.sharedRawCases
            report.traceRowsScrubbed += outcome.traceRows
            report.quarantineRowsScrubbed += outcome.quarantineRows
            report.dedupRowsRemoved += outcome.dedupRow ? 1 : 0
            report.eventsQueued += 1
            if let file = outcome.archivedFile, !report.archivedFiles.contains(file) { report.archivedFiles.append(file) }
            if !dryRun {
                for url in outcome.blobFiles where unlink(url.path) == 0 { report.blobsRemoved += 1 }
            } else {
                report.blobsRemoved += outcome.blobFiles.count
            }
        }
        if !dryRun, !report.matched.isEmpty {
            // Old page versions (the personal data before it was zeroed) stay in the WAL until
            // it is checkpointed and truncated.
            report.walTruncated = try await pool.writeWithoutTransaction { db in
                let result = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                return (result?[0] as Int? ?? 1) == 0
            }
        }
        return report
    }

    /// Case ids the selectors name, oldest first, each with what found it.
    static func matches(_ selectors: [ErasureSelector], in db: Database) throws -> [(String, [String])] {
        var found: [String: [String]] = [:]
        func add(_ ids: [String], _ why: String) { for id in ids { found[id, default: []].append(why) } }
        for selector in selectors {
            switch selector {
            case .phone(let canonical, let digits):
                add(try String.fetchAll(db, sql: """
                    SELECT id FROM intake_case WHERE json_extract(document, '$.requester.phone') = ?
                    """, arguments: [canonical]), "\(selector)")
                // Written into a description or subject: the national digits, without spaces
                // or dashes (a number written "138 1234 5678" is found by its normalised
                // requester field, which hotline and visit rows always carry).
                if digits.count >= 7 {
                    add(try String.fetchAll(db, sql: """
                        SELECT id FROM intake_case WHERE instr(document, ?) > 0
                          AND coalesce(json_extract(document, '$.requester.phone'), '') != ?
                        """, arguments: [digits, canonical]), "\(selector) (in the text)")
                }
            case .email(let address):
                let folded = address.lowercased()
                add(try String.fetchAll(db, sql: """
                    SELECT id FROM intake_case WHERE lower(json_extract(document, '$.requester.email')) = ?
                    """, arguments: [folded]), "\(selector)")
                add(try String.fetchAll(db, sql: """
                    SELECT id FROM intake_case WHERE instr(lower(document), ?) > 0
                      AND coalesce(lower(json_extract(document, '$.requester.email')), '') != ?
                    """, arguments: [folded, folded]), "\(selector) (in the text)")
            case .uscc(let code):
                add(try String.fetchAll(db, sql: """
                    SELECT id FROM intake_case WHERE upper(json_extract(document, '$.enterprise.uscc')) = ?
                    """, arguments: [code.uppercased()]), "\(selector)")
            case .caseID(let id):
                add(try String.fetchAll(db, sql: "SELECT id FROM intake_case WHERE id = ?", arguments: [id]), "\(selector)")
            case .ref(let ref):
                add(try String.fetchAll(db, sql: """
                    SELECT case_id FROM intake_ledger WHERE ref = ? AND case_id IS NOT NULL
                    """, arguments: [ref]), "\(selector)")
            }
        }
        return found.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// The work of erasing one case, inside its transaction (or read-only, for a dry run).
enum CaseErasure {
    struct Outcome: Sendable {
        var channel = ""
        var source = ""
        var ref = ""
        var rawRetired = false
        var sharedRawCases = 0
        var traceRows = 0
        var quarantineRows = 0
        var dedupRow = false
        var archivedFile: String?
        /// Blob files no one needs any more, removed after the commit.
        var blobFiles: [URL] = []
    }

    struct Step {
        let db: Database
        let caseID: String
        let write: Bool
        var dedupIndex: DedupIndex?

        init(db: Database, caseID: String, write: Bool) {
            self.db = db
            self.caseID = caseID
            self.write = write
        }

        /// nil when the case was erased before.
        func run(reason: String, actor: String, at erasedAt: String, blobs: BlobStore) throws -> Outcome? {
            guard let document = try String.fetchOne(db, sql: "SELECT document FROM intake_case WHERE id = ?", arguments: [caseID])
            else { return nil }
            let original = try JSONDecoder().decode(IntakeCase.self, from: Data(document.utf8))
            guard original.erased == nil else { return nil }
            var outcome = Outcome(channel: original.channel.rawValue, source: original.source, ref: original.ref)
            let personal = PersonalValues(original)
            let tombstone = Self.tombstone(of: original, erasure: Erasure(
                at: erasedAt, by: actor, reason: personal.scrubbed(reason)))

            // The raw input: its bytes go (for every case it holds: one file, one message).
            if let raw = try Row.fetchOne(db, sql: """
                SELECT rowid, in_blob_store, retired_at IS NULL, channel FROM raw_input WHERE sha256 = ?
                """, arguments: [original.rawSHA256]) {
                if raw[2] as Bool {
                    outcome.rawRetired = true
                    if write {
                        try db.execute(sql: "UPDATE raw_input SET body = X'', retired_at = ? WHERE rowid = ?",
                                       arguments: [Date().timeIntervalSince1970, raw[0] as Int64])
                    }
                    if raw[1] as Bool { outcome.blobFiles.append(blobs.url(for: original.rawSHA256)) }
                }
                outcome.sharedRawCases = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM intake_case WHERE raw_sha256 = ? AND id != ?
                    """, arguments: [original.rawSHA256, caseID]) ?? 0
                if ["hotline", "visit"].contains(raw[3] as String) {
                    // The file's name, from the case's `received` step (inside its `admitted` record).
                    outcome.archivedFile = try String.fetchOne(db, sql: """
                        SELECT coalesce(json_extract(detail, '$.file'), json_extract(detail, '$.steps[0][1].file')) AS file
                        FROM trace WHERE case_id = ? AND file IS NOT NULL LIMIT 1
                        """, arguments: [caseID])
                }
                // Quarantined rows of the same input that carry this person's data.
                for row in try Row.fetchAll(db, sql: "SELECT id, fields, text FROM quarantine WHERE raw_sha256 = ?",
                                            arguments: [original.rawSHA256]) {
                    let fields: String? = row[1]
                    let text: String? = row[2]
                    guard personal.occurs(in: fields) || personal.occurs(in: text) else { continue }
                    outcome.quarantineRows += 1
                    if write {
                        try db.execute(sql: "UPDATE quarantine SET fields = ?, text = ? WHERE id = ?", arguments: [
                            fields.map(personal.scrubbedJSON), text.map(personal.scrubbed), row[0] as Int64,
                        ])
                    }
                }
            }

            // Attachments: a blob goes once no other case names it.
            for attachment in original.attachments {
                let others = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM attachment_ref WHERE sha256 = ? AND case_id != ?
                    """, arguments: [attachment.sha256, caseID]) ?? 0
                if write { try db.execute(sql: "DELETE FROM attachment_ref WHERE sha256 = ? AND case_id = ?", arguments: [attachment.sha256, caseID]) }
                if others == 0 { outcome.blobFiles.append(blobs.url(for: attachment.sha256)) }
            }

            // The requester's address in its acknowledgement (an unsent one is not sent).
            if write { try db.execute(sql: "DELETE FROM acknowledgement WHERE case_id = ?", arguments: [caseID]) }

            // Identity keys and signature out of the deduplication index.
            if let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM dedup_case WHERE case_id = ?", arguments: [caseID]) {
                outcome.dedupRow = true
                if write {
                    try db.execute(sql: "DELETE FROM dedup_case WHERE seq = ?", arguments: [seq])
                    dedupIndex?.forget(seq)
                }
            }

            // Names and numbers in the trace: the case's steps, and refusals under its ref.
            for row in try Row.fetchAll(db, sql: """
                SELECT id, detail FROM trace WHERE (case_id = ?1 OR (case_id IS NULL AND ref = ?2)) AND detail IS NOT NULL
                """, arguments: [caseID, original.ref]) {
                let detail: String = row[1]
                let scrubbed = personal.scrubbedJSON(detail)
                guard scrubbed != detail else { continue }
                outcome.traceRows += 1
                if write { try db.execute(sql: "UPDATE trace SET detail = ? WHERE id = ?", arguments: [scrubbed, row[0] as Int64]) }
            }

            guard write else { return outcome }
            // Events: owed ones are built from the tombstone from now on; delivered ones lose
            // their copy. Then case.erased, after them (per-case order).
            try db.execute(sql: """
                UPDATE outbox SET emitted_at = coalesce(emitted_at, json_extract(CAST(payload AS TEXT), '$.emitted_at')), payload = NULL
                WHERE case_id = ? AND payload IS NOT NULL
                """, arguments: [caseID])
            try db.execute(sql: "UPDATE intake_case SET document = ? WHERE id = ?", arguments: [
                String(decoding: try tombstone.encoded(), as: UTF8.self), caseID,
            ])
            let key = CaseEvent.idempotencyKey(caseID: caseID, event: .erased)
            let now = Date().timeIntervalSince1970
            try db.execute(sql: """
                INSERT INTO outbox (case_id, event, idempotency_key, emitted_at, queued_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [caseID, CaseEvent.Kind.erased.rawValue, key, erasedAt, now, now])
            try db.execute(sql: """
                INSERT INTO trace (at, step, channel, source, ref, case_id, raw_sha256, actor, detail) VALUES (?, 'erased', ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    now, original.channel.rawValue, original.source, original.ref, caseID, original.rawSHA256, actor,
                    JSONValue.object([
                        "reason": .string(tombstone.erased!.reason), "raw_retired": .bool(outcome.rawRetired),
                        "blobs": .number(Double(outcome.blobFiles.count)), "trace_rows_scrubbed": .number(Double(outcome.traceRows)),
                        "event": .string(CaseEvent.Kind.erased.rawValue), "idempotency_key": .string(key),
                    ]).serialized(),
                ])
            return outcome
        }

        /// What is kept: ids, links, channel, source, ref, dates, category, department,
        /// priority, the raw input's hash; everything about the person and their words goes.
        static func tombstone(of original: IntakeCase, erasure: Erasure) -> IntakeCase {
            var tombstone = IntakeCase(
                id: original.id, channel: original.channel, source: original.source, ref: original.ref,
                receivedAt: original.receivedAt, rawSHA256: original.rawSHA256, reportedAt: original.reportedAt,
                description: IntakeDatabase.erasedDescription, category: original.category, department: original.department,
                dueAt: original.dueAt, priority: original.priority)
            tombstone.duplicateOf = original.duplicateOf
            tombstone.similarity = original.similarity
            tombstone.possibleDuplicateOf = original.possibleDuplicateOf
            tombstone.followupOf = original.followupOf
            tombstone.erased = erasure
            return tombstone
        }
    }

    /// The personal values of one case and where they occur in other text: names, phone
    /// numbers (by their digits, however they were written), email addresses, the
    /// enterprise's name and code.
    struct PersonalValues {
        static let replacement = "[已删除]"
        let strings: [String]
        let phoneDigits: [String]

        init(_ value: IntakeCase) {
            strings = [value.requester.name, value.requester.email, value.enterprise.name, value.enterprise.uscc, value.requester.phone]
                .compactMap { $0?.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 2 }
            let phone = value.requester.phone.map { String($0.filter(\.isASCIIDigit)) } ?? ""
            // +8613812345678 → also 13812345678 (national) and 8613812345678.
            var digits = [phone]
            if phone.hasPrefix("86"), phone.count > 9 { digits.append(String(phone.dropFirst(2))) }
            phoneDigits = digits.filter { $0.count >= 7 }
        }

        func occurs(in text: String?) -> Bool {
            guard let text else { return false }
            return scrubbed(text) != text
        }

        /// `text` with every personal value replaced: literal values (case-insensitive), and
        /// any run of digits, spaces, dashes and dots whose digits are a phone number's.
        func scrubbed(_ text: String) -> String {
            var result = text
            for value in strings { result = result.replacingOccurrences(of: value, with: Self.replacement, options: .caseInsensitive) }
            guard !phoneDigits.isEmpty else { return result }
            return Self.replacingNumbers(in: result, matching: phoneDigits)
        }

        /// A JSON text with each string value scrubbed (keys and structure kept); a text that
        /// is not JSON is scrubbed as text.
        func scrubbedJSON(_ text: String) -> String {
            guard let value = try? JSONParser.parse(Array(text.utf8)) else { return scrubbed(text) }
            return walk(value).serialized()
        }

        private func walk(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let text): .string(scrubbed(text))
            case .array(let items): .array(items.map(walk))
            case .object(let members): .object(members.mapValues(walk))
            default: value
            }
        }

        /// Runs of digits with the separators people write inside numbers (space, -, ., (, ),
        /// +), replaced when the run's digits contain one of `numbers`.
        static func replacingNumbers(in text: String, matching numbers: [String]) -> String {
            let characters = Array(text)
            var out = ""
            var index = 0
            while index < characters.count {
                guard characters[index].isASCIIDigit || characters[index] == "+" else {
                    out.append(characters[index])
                    index += 1
                    continue
                }
                var end = index
                while end < characters.count, characters[end].isASCIIDigit || " -.()+".contains(characters[end]) { end += 1 }
                // A run ends on a digit: trailing separators are not part of the number.
                while end > index, !characters[end - 1].isASCIIDigit { end -= 1 }
                if end == index {
                    out.append(characters[index])
                    index += 1
                    continue
                }
                let run = String(characters[index..<end])
                let digits = String(run.filter(\.isASCIIDigit))
                out += numbers.contains(where: { digits.contains($0) }) ? replacement : run
                index = end
            }
            return out
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
