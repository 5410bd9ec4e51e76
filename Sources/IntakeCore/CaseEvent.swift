import Foundation

/// What goes to the routing queue: `{event, idempotency_key, emitted_at, case}`.
public struct CaseEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case created = "case.created"
        case duplicate = "case.duplicate"
        case followup = "case.followup"
        case updated = "case.updated"
        /// The case's personal data was erased on request; it carries the tombstone.
        case erased = "case.erased"
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
    /// The case as JSON, sorted keys, absent values left out: the same document `Codable`
    /// reads back (a test holds the two together), written without `JSONEncoder`, which
    /// costs more than the rest of a request's intake.
    public func encoded() throws -> Data {
        Data(jsonValue.serializedBytes())
    }

    var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "schema": .string(schema), "id": .string(id), "channel": .string(channel.rawValue), "source": .string(source),
            "ref": .string(ref), "received_at": .string(receivedAt), "raw_sha256": .string(rawSHA256),
            "description": .string(description), "priority": .string(priority.rawValue),
            "requester": .members([
                "name": requester.name.map(JSONValue.string), "phone": requester.phone.map(JSONValue.string),
                "phone_extension": requester.phoneExtension.map(JSONValue.string),
                "email": requester.email.map(JSONValue.string), "role": requester.role.map(JSONValue.string),
            ]),
            "enterprise": .members([
                "name": enterprise.name.map(JSONValue.string), "uscc": enterprise.uscc.map(JSONValue.string),
                "uscc_valid": enterprise.usccValid.map(JSONValue.bool),
            ]),
            "attachments": .array(attachments.map { attachment in
                .object([
                    "sha256": .string(attachment.sha256), "name": .string(attachment.name),
                    "media_type": .string(attachment.mediaType), "size": .number(Double(attachment.size)),
                ])
            }),
            "extra": .object(extra),
        ]
        let optional: [String: JSONValue?] = [
            "reported_at": reportedAt.map(JSONValue.string), "subject": subject.map(JSONValue.string),
            "department": department.map(JSONValue.string), "due_at": dueAt.map(JSONValue.string),
            "duplicate_of": duplicateOf.map(JSONValue.string), "similarity": similarity.map(JSONValue.number),
            "possible_duplicate_of": possibleDuplicateOf.map(JSONValue.string), "followup_of": followupOf.map(JSONValue.string),
            "erased": erased.map { .object(["at": .string($0.at), "by": .string($0.by), "reason": .string($0.reason)]) },
            "category": category.map { .object(["code": .string($0.code), "label": .string($0.label), "by": .string($0.by.rawValue)]) },
            "location": location.map { .members(["address": $0.address.map(JSONValue.string), "district": $0.district.map(JSONValue.string)]) },
        ]
        for (key, value) in optional { if let value { object[key] = value } }
        return .object(object)
    }
}

extension JSONValue {
    /// An object of the members that are present.
    static func members(_ members: [String: JSONValue?]) -> JSONValue {
        .object(members.compactMapValues { $0 })
    }
}
