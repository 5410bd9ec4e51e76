import Foundation
import IntakeCore
import IntakeStore

/// `intake dedup explain ID`: the decision recorded when the case was taken — its identity
/// keys, the thresholds in force, and every candidate considered with its similarity,
/// shared keys and bands, verdict and reason.
public struct DedupReport {
    public let caseID: String
    /// The `deduplicated` step's detail, nil when the case has none (taken with
    /// deduplication off, or a follow-up, which is linked to its case instead).
    public let decision: [String: JSONValue]?
    let timestamps: Timestamp

    public init(configuration: LoadedConfiguration, id: String) throws {
        let database = try configuration.openDatabase()
        defer { database.close() }
        let entries = try database.traceEntries(for: id)
        caseID = entries.last { $0.step == "deduplicated" }?.caseID ?? entries.compactMap(\.caseID).first ?? id
        decision = Self.decision(in: entries)
        timestamps = Timestamp(timeZone: configuration.timeZone)
    }

    /// The detail of the last `deduplicated` step among a case's trace entries.
    static func decision(in entries: [TraceEntry]) -> [String: JSONValue]? {
        guard let text = entries.last(where: { $0.step == "deduplicated" })?.detail,
            case .object(let detail)? = try? JSONParser.parse(Array(text.utf8))
        else { return nil }
        return detail
    }

    public func text() -> String {
        guard let decision else { return "no deduplication decision recorded for \(caseID)" }
        var lines = ["case        \(caseID)"]
        switch decision["outcome"]?.stringValue {
        case "duplicate": lines.append("decision    duplicate of \(decision["of"]?.stringValue ?? "?") (similarity \(Self.number(decision["similarity"])))")
        case "possible_duplicate": lines.append("decision    new, possible duplicate of \(decision["of"]?.stringValue ?? "?") (similarity \(Self.number(decision["similarity"])))")
        default: lines.append("decision    new")
        }
        let keys = decision["identity_keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        lines.append("identity    " + (keys.isEmpty ? "none (compared on text alone)" : keys.joined(separator: ", ")))
        lines.append("category    " + (decision["category"]?.stringValue ?? "-"))
        if let at = decision["at"]?.numberValue {
            lines.append("raised      \(timestamps.format(Date(timeIntervalSince1970: at))), window ±\(Self.number(decision["window_days"])) days")
        }
        if case .object(let thresholds)? = decision["thresholds"] {
            lines.append("thresholds  duplicate \(Self.number(thresholds["high"])), possible \(Self.number(thresholds["low"])), "
                + "text only \(Self.number(thresholds["text_only"])), across categories \(Self.number(thresholds["cross_category"]))")
        }
        let candidates = decision["candidates"]?.arrayValue ?? []
        guard !candidates.isEmpty else {
            lines.append("candidates  none: no stored case shares an identity key or an LSH band within the window")
            return lines.joined(separator: "\n")
        }
        let rows = candidates.compactMap { candidate -> [String]? in
            guard case .object(let fields) = candidate else { return nil }
            return [
                fields["case_id"]?.stringValue ?? "?", Self.number(fields["similarity"]),
                (fields["shared_keys"]?.arrayValue?.compactMap(\.stringValue) ?? []).joined(separator: ",").ifEmpty("-"),
                Self.number(fields["shared_bands"]), fields["verdict"]?.stringValue ?? "?", fields["reason"]?.stringValue ?? "",
            ]
        }
        lines.append("")
        if let count = decision["candidates_considered"]?.numberValue, Int(count) > rows.count {
            lines.append("(the \(rows.count) most similar of \(Int(count)) candidates considered)")
        }
        lines.append(TextTable.render(header: ["CANDIDATE", "SIMILARITY", "SHARED KEYS", "BANDS", "VERDICT", "REASON"], rows: rows))
        return lines.joined(separator: "\n")
    }

    public func json() -> String {
        JSONValue.object(["case_id": .string(caseID), "decision": decision.map(JSONValue.object) ?? .null]).serialized()
    }

    static func number(_ value: JSONValue?) -> String {
        guard let number = value?.numberValue else { return "-" }
        if number == number.rounded() { return String(Int(number)) }
        return String((number * 1000).rounded() / 1000)
    }
}

extension String {
    fileprivate func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
