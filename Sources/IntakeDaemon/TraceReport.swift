import Foundation
import IntakeCore
import IntakeStore

/// `intake trace`: a case's steps as a table or as JSON, timestamps in the zone's offset.
public struct TraceReport {
    public let entries: [TraceEntry]
    let timestamps: Timestamp

    public init(configuration: LoadedConfiguration, id: String) throws {
        let database = try IntakeDatabase(path: configuration.settings.store.path, busyTimeoutSecs: configuration.settings.store.busyTimeoutSecs)
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
        let header = ["TIME", "STEP", "CASE", "SOURCE", "DETAIL"]
        let widths = (0..<4).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { index, cell in
                index < 4 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) : cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    public func json() -> String {
        let values = entries.map { entry -> JSONValue in
            var object: [String: JSONValue] = ["at": .string(timestamps.format(entry.at)), "step": .string(entry.step)]
            if let value = entry.channel { object["channel"] = .string(value) }
            if let value = entry.source { object["source"] = .string(value) }
            if let value = entry.ref { object["ref"] = .string(value) }
            if let value = entry.caseID { object["case_id"] = .string(value) }
            if let value = entry.actor { object["actor"] = .string(value) }
            if let text = entry.detail, let detail = try? JSONParser.parse(Array(text.utf8)) { object["detail"] = detail }
            return .object(object)
        }
        return JSONValue.array(values).serialized()
    }
}
