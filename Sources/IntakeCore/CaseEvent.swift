import Foundation

/// What goes to the routing queue: `{event, idempotency_key, emitted_at, case}`.
public struct CaseEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case created = "case.created"
        case duplicate = "case.duplicate"
        case followup = "case.followup"
        case updated = "case.updated"
    }

    public var event: Kind
    /// Stable for a given case and event: retries and replays send the same key.
    public var idempotencyKey: String
    public var emittedAt: String
    public var `case`: IntakeCase

    public init(event: Kind, idempotencyKey: String, emittedAt: String, case: IntakeCase) {
        self.event = event
        self.idempotencyKey = idempotencyKey
        self.emittedAt = emittedAt
        self.case = `case`
    }

    /// `<case id>.<event suffix>` for the first event of its kind; `sequence` tells later
    /// updates of one case apart. Safe as a file name.
    public static func idempotencyKey(caseID: String, event: Kind, sequence: Int = 0) -> String {
        let suffix = event.rawValue.dropFirst("case.".count)
        return sequence == 0 ? "\(caseID).\(suffix)" : "\(caseID).\(suffix).\(sequence)"
    }

    enum CodingKeys: String, CodingKey {
        case event
        case idempotencyKey = "idempotency_key"
        case emittedAt = "emitted_at"
        case `case`
    }

    /// The JSON the sinks send: sorted keys so the bytes are stable across retries.
    public func encoded() throws -> Data {
        CaseEvent.envelope(event: event, idempotencyKey: idempotencyKey, emittedAt: emittedAt, caseJSON: try `case`.encoded())
    }

    /// The envelope around an already encoded case, so a case is serialised once, not twice.
    public static func envelope(event: Kind, idempotencyKey: String, emittedAt: String, caseJSON: Data) -> Data {
        var out = Data("{\"case\":".utf8)
        out.append(caseJSON)
        var tail = ",\"emitted_at\":"
        JSONValue.writeString(emittedAt, to: &tail)
        tail += ",\"event\":"
        JSONValue.writeString(event.rawValue, to: &tail)
        tail += ",\"idempotency_key\":"
        JSONValue.writeString(idempotencyKey, to: &tail)
        tail += "}"
        out.append(contentsOf: tail.utf8)
        return out
    }
}

extension IntakeCase {
    /// The case as JSON, sorted keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
