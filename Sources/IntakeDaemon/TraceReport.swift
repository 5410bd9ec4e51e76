import Foundation
import IntakeCore
import IntakeStore

/// `intake trace`: a case's steps as a table or as JSON, timestamps in the zone's offset.
public struct TraceReport {
    public let entries: [TraceEntry]
    let timestamps: Timestamp

    public init(configuration: LoadedConfiguration, id: String) throws {
        let database = try configuration.openDatabase()
        defer { database.close() }
        entries = try database.traceEntries(for: id)
        timestamps = Timestamp(timeZone: configuration.timeZone)
    }

    public func table() -> String {
        let rows = entries.map { entry -> [String] in
            [
                timestamps.format(entry.at), entry.step, entry.caseID ?? "-",
                [entry.channel, entry.source].compactMap { $0 }.joined(separator: "/"),
                [entry.actor.map { "by \($0)" }, entry.detail].compactMap { $0 }.joined(separator: " "),
            ]
        }
        return TextTable.render(header: ["TIME", "STEP", "CASE", "SOURCE", "DETAIL"], rows: rows)
    }

    public func json() -> String {
        JSONValue.array(entries.map { TraceReport.json($0, timestamps) }).serialized()
    }

    static func json(_ entry: TraceEntry, _ timestamps: Timestamp) -> JSONValue {
        var object: [String: JSONValue] = ["at": .string(timestamps.format(entry.at)), "step": .string(entry.step)]
        if let value = entry.channel { object["channel"] = .string(value) }
        if let value = entry.source { object["source"] = .string(value) }
        if let value = entry.ref { object["ref"] = .string(value) }
        if let value = entry.caseID { object["case_id"] = .string(value) }
        if let value = entry.actor { object["actor"] = .string(value) }
        if let text = entry.detail, let detail = try? JSONParser.parse(Array(text.utf8)) { object["detail"] = detail }
        return .object(object)
    }
}
