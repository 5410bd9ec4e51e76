import Foundation
import GRDB
import IntakeCore

extension IntakeDatabase {
    /// Cases matching `query`, newest first, one page of them. The phone is compared as the
    /// normaliser stores it (`phone`, already normalised by the caller) and by its digits.
    public func searchCases(_ query: CaseQuery) throws -> CasePage {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let id = query.caseID?.lowercased() {
            conditions.append(id.count == 12 ? "substr(c.id, 25) = ?" : "c.id = ?")
            arguments.append(id)
        }
        if let ref = query.ref {
            conditions.append("c.id IN (SELECT case_id FROM intake_ledger WHERE ref = ? AND case_id IS NOT NULL)")
            arguments.append(ref)
        }
        if let key = query.idempotencyKey {
            // The answer stored for the key names its cases (found by primary key, source by
            // source); a request without a ref took the key as its ref (`KEY#n` in a batch).
            // Past the raw-input horizon the answer is gone: then the cases' `received` steps,
            // inside their `admitted` records, still carry the key (a scan of the trace).
            let answered = try casesAnswered(idempotencyKey: key)
            let ledger = "c.id IN (SELECT case_id FROM intake_ledger WHERE ref = ? OR (ref > ? AND ref < ?))"
            if answered.isEmpty {
                conditions.append("""
                    (\(ledger) OR c.id IN (SELECT case_id FROM trace WHERE step = 'admitted' AND case_id IS NOT NULL AND detail LIKE ? ESCAPE '\\'))
                    """)
                arguments += [key, key + "#", key + "$", "%" + Self.likeEscaped("\"idempotency_key\":" + JSONValue.string(key).serialized()) + "%"]
            } else {
                conditions.append("(\(ledger) OR c.id IN (SELECT value FROM json_each(?)))")
                arguments += [key, key + "#", key + "$", JSONValue.array(answered.map(JSONValue.string)).serialized()]
            }
        }
        if let enterprise = query.enterprise {
            conditions.append("""
                (json_extract(c.document, '$.enterprise.uscc') = ? OR json_extract(c.document, '$.enterprise.name') LIKE ? ESCAPE '\\')
                """)
            arguments += [enterprise.uppercased(), "%" + Self.likeEscaped(enterprise) + "%"]
        }
        if let phone = query.phone {
            let digits = String(phone.filter(\.isASCII).filter(\.isNumber))
            conditions.append("(json_extract(c.document, '$.requester.phone') = ? OR (? <> '' AND json_extract(c.document, '$.requester.phone') LIKE ?))")
            arguments += [phone, digits, "%" + digits]
        }
        if let email = query.email {
            conditions.append("lower(json_extract(c.document, '$.requester.email')) = lower(?)")
            arguments.append(email)
        }
        if let channel = query.channel {
            conditions.append("c.channel = ?")
            arguments.append(channel)
        }
        if let category = query.category {
            conditions.append("json_extract(c.document, '$.category.code') = ?")
            arguments.append(category)
        }
        // Case ids are UUIDv7: a time range is a range of the primary key.
        if let from = query.from {
            conditions.append("c.id >= ?")
            arguments.append(UUIDv7.lowerBound(at: from))
        }
        if let until = query.until {
            conditions.append("c.id < ?")
            arguments.append(UUIDv7.lowerBound(at: until))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let pageSize = max(1, query.pageSize)
        let page = max(1, query.page)
        return try pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM intake_case c \(filter)", arguments: StatementArguments(arguments)) ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(Self.summaryColumns) FROM intake_case c \(filter) ORDER BY c.id DESC LIMIT ? OFFSET ?",
                arguments: StatementArguments(arguments + [pageSize, (page - 1) * pageSize]))
            return CasePage(cases: rows.map(CaseSummary.init(row:)), total: total, page: page, pageSize: pageSize)
        }
    }

    /// The case ids in the answers stored for an `Idempotency-Key`, for every source that took input.
    public func casesAnswered(idempotencyKey key: String) throws -> [String] {
        try pool.read { db in
            try Data.fetchAll(db, sql: """
                SELECT i.response FROM channel_activity a
                JOIN idempotency_key i ON i.channel = a.channel AND i.source = a.source AND i.key = ?
                """, arguments: [key]).flatMap { response -> [String] in
                guard case .object(let answer)? = try? JSONParser.parse(Array(response)), let cases = answer["cases"]?.arrayValue else { return [] }
                return cases.compactMap { if case .object(let item) = $0 { item["id"]?.stringValue } else { nil } }
            }
        }
    }

    /// Every case of one enterprise, oldest first: by its USCC, or by its folded name
    /// (`EnterpriseIdentity.normalizedName`) among the cases whose name contains it or whose
    /// dedup row carries it.
    public func enterpriseCases(uscc: String? = nil, foldedName: String? = nil, limit: Int = 1000) throws -> [CaseSummary] {
        try pool.read { db in
            if let uscc {
                return try Row.fetchAll(db, sql: """
                    SELECT \(Self.summaryColumns) FROM intake_case c
                    WHERE json_extract(c.document, '$.enterprise.uscc') = ? ORDER BY c.id LIMIT ?
                    """, arguments: [uscc, limit]).map(CaseSummary.init(row:))
            }
            guard let foldedName, !foldedName.isEmpty else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT \(Self.summaryColumns) FROM intake_case c
                WHERE json_extract(c.document, '$.enterprise.name') LIKE ? ESCAPE '\\'
                   OR c.id IN (SELECT case_id FROM dedup_case WHERE instr(char(10) || keys || char(10), ?) > 0)
                ORDER BY c.id LIMIT ?
                """, arguments: ["%" + Self.likeEscaped(foldedName) + "%", "\n" + "name:" + foldedName + "\n", limit]
            ).map(CaseSummary.init(row:))
        }
    }

    /// The cases that name `id` as what they repeat, might repeat, or follow up, oldest first.
    /// Such a case always comes after its original, so only later ids are read.
    public func linkedCases(to id: String) throws -> [CaseSummary] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.summaryColumns) FROM intake_case c
                WHERE c.id > ?1 AND (json_extract(c.document, '$.duplicate_of') = ?1
                    OR json_extract(c.document, '$.possible_duplicate_of') = ?1 OR json_extract(c.document, '$.followup_of') = ?1)
                ORDER BY c.id LIMIT 500
                """, arguments: [id]).map(CaseSummary.init(row:))
        }
    }

    /// A stored case's summary, by id.
    public func caseSummary(id: String) throws -> CaseSummary? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.summaryColumns) FROM intake_case c WHERE c.id = ?", arguments: [id]).map(CaseSummary.init(row:))
        }
    }

    static let summaryColumns = """
        c.id, c.channel, c.source, c.ref, c.received_at, json_extract(c.document, '$.subject'),
        json_extract(c.document, '$.description'), json_extract(c.document, '$.enterprise.name'),
        json_extract(c.document, '$.enterprise.uscc'), json_extract(c.document, '$.category.label'),
        json_extract(c.document, '$.duplicate_of'), json_extract(c.document, '$.possible_duplicate_of'),
        json_extract(c.document, '$.followup_of')
        """

    /// `text` as a LIKE pattern matches it literally (with `ESCAPE '\'`).
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}

extension CaseSummary {
    init(row: Row) {
        id = row[0]
        channel = row[1]
        source = row[2]
        ref = row[3]
        receivedAt = Date(timeIntervalSince1970: row[4])
        subject = row[5]
        description = row[6] ?? ""
        enterpriseName = row[7]
        uscc = row[8]
        categoryLabel = row[9]
        duplicateOf = row[10]
        possibleDuplicateOf = row[11]
        followupOf = row[12]
    }
}
