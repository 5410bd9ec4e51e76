import Foundation
import IntakeCore
import IntakePipeline

/// Reads a visit upload (`{...}` or `{"visits": [...]}`) into records, collecting every field
/// error with its JSON pointer. Visits are judged one by one, so a batch with one bad visit
/// still yields the good ones; only a problem with the body itself fails the whole upload.
///
/// Unlike the webhook, which keeps unknown request fields in `extra`, a visit rejects
/// unknown fields: the tablet app is ours, and a misspelt `catgory` would otherwise lose
/// data silently.
public struct VisitDecoder: Sendable {
    public var maxVisitsPerBatch: Int
    public var maxAttachmentBytes: Int
    public var maxAttachmentsPerVisit: Int
    public var maxDemandsPerVisit: Int
    public var maxNotesCharacters: Int
    public var maxDemandCharacters: Int
    public var maxParticipants: Int

    public init(
        maxVisitsPerBatch: Int = 100, maxAttachmentBytes: Int = 10 << 20, maxAttachmentsPerVisit: Int = 20,
        maxDemandsPerVisit: Int = 50, maxNotesCharacters: Int = 20_000, maxDemandCharacters: Int = 5_000,
        maxParticipants: Int = 100
    ) {
        self.maxVisitsPerBatch = maxVisitsPerBatch
        self.maxAttachmentBytes = maxAttachmentBytes
        self.maxAttachmentsPerVisit = maxAttachmentsPerVisit
        self.maxDemandsPerVisit = maxDemandsPerVisit
        self.maxNotesCharacters = maxNotesCharacters
        self.maxDemandCharacters = maxDemandCharacters
        self.maxParticipants = maxParticipants
    }

    /// The outcome for one visit of an upload.
    public enum VisitResult: Sendable, Hashable {
        case valid(VisitRecord)
        /// `index` is the visit's place in the batch (0 for a single visit); `visitID` is
        /// given when it could be read, so the tablet knows which record failed.
        case invalid(index: Int, visitID: String?, errors: [FieldError])
    }

    static let visitFields: Set<String> = [
        "visit_id", "visited_at", "recorded_at", "enterprise", "staff", "participants", "notes", "demands", "attachments",
    ]

    /// One result per visit, in upload order; a failure when the body itself is unusable
    /// (not an object, `visits` not an array, an empty or too large batch, other members
    /// beside `visits`), naming the first such problem.
    public func decode(_ body: JSONValue) -> Result<[VisitResult], FieldError> {
        guard case .object(let top) = body else {
            return .failure(FieldError("/", .wrongType(expected: "json_object", found: body.typeName)))
        }
        guard let visits = top["visits"] else { return .success([decodeVisit(body, index: 0, at: "")]) }
        guard case .array(let items) = visits else {
            return .failure(FieldError("/visits", .wrongType(expected: "array", found: visits.typeName)))
        }
        if items.isEmpty { return .failure(FieldError("/visits", .isEmpty)) }
        if items.count > maxVisitsPerBatch {
            return .failure(FieldError("/visits", .tooMany(count: items.count, limit: maxVisitsPerBatch, noun: "visits", perBatch: true)))
        }
        let others = top.keys.filter { $0 != "visits" }.sorted()
        if let first = others.first {
            let names = others.map { "\"\($0)\"" }.joined(separator: ", ")
            return .failure(FieldError("/\(JSONFieldReader.escape(first))", .unexpectedBesideBatch(member: "visits", names: names)))
        }
        var results: [VisitResult] = []
        var firstIndexByID: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            var result = decodeVisit(item, index: index, at: "/visits/\(index)")
            // Two versions of one visit in one batch: which is the edit? Refuse the later one.
            if case .valid(let record) = result {
                if let first = firstIndexByID[record.visitID] {
                    result = .invalid(index: index, visitID: record.visitID, errors: [
                        FieldError("/visits/\(index)/visit_id", .repeatsVisit(at: "/visits/\(first)")),
                    ])
                } else {
                    firstIndexByID[record.visitID] = index
                }
            }
            results.append(result)
        }
        return .success(results)
    }

    private func decodeVisit(_ value: JSONValue, index: Int, at path: String) -> VisitResult {
        guard case .object(var fields) = value else {
            return .invalid(index: index, visitID: nil, errors: [FieldError(path.isEmpty ? "/" : path, .wrongType(expected: "json_object", found: value.typeName))])
        }
        var reader = JSONFieldReader(path: path, numericKeys: ["phone", "id"])
        reader.rejectUnknown(fields, allowed: Self.visitFields, what: "a visit")

        let visitID = reader.string(&fields, "visit_id").flatMap { given -> String? in
            guard let uuid = UUID(uuidString: given.trimmingCharacters(in: .whitespaces)) else {
                reader.fail("visit_id", .notUUID(value: given))
                return nil
            }
            return uuid.uuidString.lowercased()
        }
        if visitID == nil, !reader.failed("visit_id") { reader.fail("visit_id", .required) }
        let visitedAt = reader.timestamp(&fields, "visited_at")
        if visitedAt == nil, !reader.failed("visited_at") { reader.fail("visited_at", .required) }
        let recordedAt = reader.timestamp(&fields, "recorded_at")

        var enterpriseName: String?, enterpriseUSCC: String?, enterpriseAddress: String?
        if var enterprise = reader.object(&fields, "enterprise") {
            reader.rejectUnknown(enterprise, allowed: ["name", "uscc", "address"], what: "an enterprise", in: "enterprise")
            enterpriseName = reader.string(&enterprise, "name", in: "enterprise").flatMap(nonBlank)
            enterpriseUSCC = reader.string(&enterprise, "uscc", in: "enterprise").flatMap(nonBlank)
            enterpriseAddress = reader.string(&enterprise, "address", in: "enterprise").flatMap(nonBlank)
        }

        var staffID: String?, staffName: String?, staffPhone: String?
        if var staff = reader.object(&fields, "staff") {
            reader.rejectUnknown(staff, allowed: ["id", "name", "phone"], what: "a staff member", in: "staff")
            staffID = reader.string(&staff, "id", in: "staff").flatMap(nonBlank)
            staffName = reader.string(&staff, "name", in: "staff").flatMap(nonBlank)
            staffPhone = reader.string(&staff, "phone", in: "staff").flatMap(nonBlank)
            if staffID == nil, !reader.failed("staff/id") { reader.fail("staff/id", .required) }
        } else if !reader.failed("staff") {
            reader.fail("staff", .requiredWithID)
        }

        let participants = decodeParticipants(&fields, reader: &reader)
        let notes = reader.string(&fields, "notes")
        if let notes, notes.count > maxNotesCharacters {
            reader.fail("notes", .tooManyCharacters(count: notes.count, limit: maxNotesCharacters))
        }
        var demands = decodeDemands(&fields, reader: &reader) ?? []
        var demandsFromNotes = false
        if demands.isEmpty, !reader.failed("demands"), !reader.errors.contains(where: { $0.field.hasPrefix(reader.pointer("demands/")) }) {
            let split = notes.map(DemandSplitter.split) ?? []
            if split.isEmpty {
                reader.fail("demands", .noDemands)
            } else if split.count > maxDemandsPerVisit {
                reader.fail("notes", .notesEnumerateTooMany(count: split.count, limit: maxDemandsPerVisit))
            } else {
                demands = split.map { VisitDemand(text: $0) }
                demandsFromNotes = true
            }
        }
        let attachments = decodeAttachments(&fields, reader: &reader)

        guard reader.errors.isEmpty, let visitID, let visitedAt, let staffID else {
            return .invalid(index: index, visitID: visitID, errors: reader.errors)
        }
        return .valid(VisitRecord(
            visitID: visitID, visitedAt: visitedAt, recordedAt: recordedAt, enterpriseName: enterpriseName,
            enterpriseUSCC: enterpriseUSCC, enterpriseAddress: enterpriseAddress, staffID: staffID, staffName: staffName,
            staffPhone: staffPhone, participants: participants, notes: notes, demands: demands,
            demandsFromNotes: demandsFromNotes, attachments: attachments))
    }

    private func decodeParticipants(_ fields: inout [String: JSONValue], reader: inout JSONFieldReader) -> [String] {
        guard let items = reader.array(&fields, "participants") else { return [] }
        if items.count > maxParticipants {
            reader.fail("participants", .tooMany(count: items.count, limit: maxParticipants, noun: "names", perBatch: false))
            return []
        }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let name) = item else {
                reader.fail("participants/\(index)", .wrongType(expected: "string", found: item.typeName))
                continue
            }
            if let name = nonBlank(name) { names.append(name) }
        }
        return names
    }

    /// Nil when the visit lists no demands (absent, null or `[]`): they come from the notes.
    private func decodeDemands(_ fields: inout [String: JSONValue], reader: inout JSONFieldReader) -> [VisitDemand]? {
        guard let items = reader.array(&fields, "demands"), !items.isEmpty else { return nil }
        if items.count > maxDemandsPerVisit {
            reader.fail("demands", .tooMany(count: items.count, limit: maxDemandsPerVisit, noun: "demands", perBatch: false))
            return []
        }
        var demands: [VisitDemand] = []
        for (index, item) in items.enumerated() {
            let at = "demands/\(index)"
            guard case .object(var demand) = item else {
                reader.fail(at, .wrongType(expected: "json_object", found: item.typeName))
                continue
            }
            reader.rejectUnknown(demand, allowed: ["text", "category", "urgent"], what: "a demand", in: at)
            let text = reader.string(&demand, "text", in: at)
            let category = reader.string(&demand, "category", in: at).flatMap(nonBlank)
            let urgent = reader.bool(&demand, "urgent", in: at) ?? false
            guard let text else {
                if !reader.failed("\(at)/text") { reader.fail("\(at)/text", .required) }
                continue
            }
            if nonBlank(text) == nil {
                reader.fail("\(at)/text", .mustNotBeEmpty)
            } else if text.count > maxDemandCharacters {
                reader.fail("\(at)/text", .tooManyCharacters(count: text.count, limit: maxDemandCharacters))
            } else {
                demands.append(VisitDemand(text: text, category: category, urgent: urgent))
            }
        }
        return demands
    }

    private func decodeAttachments(_ fields: inout [String: JSONValue], reader: inout JSONFieldReader) -> [VisitAttachment] {
        guard let items = reader.array(&fields, "attachments") else { return [] }
        if items.count > maxAttachmentsPerVisit {
            reader.fail("attachments", .tooMany(count: items.count, limit: maxAttachmentsPerVisit, noun: "attachments", perBatch: false))
            return []
        }
        var attachments: [VisitAttachment] = []
        for (index, item) in items.enumerated() {
            let at = "attachments/\(index)"
            let errorCount = reader.errors.count
            guard case .object(var attachment) = item else {
                reader.fail(at, .wrongType(expected: "json_object", found: item.typeName))
                continue
            }
            reader.rejectUnknown(attachment, allowed: ["name", "media_type", "content_base64", "part"], what: "an attachment", in: at)
            let name = reader.string(&attachment, "name", in: at)
            let mediaType = reader.string(&attachment, "media_type", in: at).flatMap(nonBlank) ?? "application/octet-stream"
            let content = reader.string(&attachment, "content_base64", in: at)
            let part = reader.string(&attachment, "part", in: at)
            if name == nil, !reader.failed("\(at)/name") { reader.fail("\(at)/name", .required) }
            var inline: Data?
            switch (content, part) {
            case (nil, nil):
                if !reader.failed("\(at)/content_base64"), !reader.failed("\(at)/part") {
                    reader.fail(at, .attachmentNeedsContent)
                }
            case (.some, .some):
                reader.fail(at, .attachmentHasBothContentAndPart)
            case (nil, .some(let part)):
                if nonBlank(part) == nil { reader.fail("\(at)/part", .mustNotBeEmpty) }
            case (.some(let content), nil):
                inline = decodeBase64(content, at: "\(at)/content_base64", reader: &reader)
            }
            if let name, reader.errors.count == errorCount {
                attachments.append(VisitAttachment(
                    name: AttachmentName.sanitized(name), mediaType: mediaType, inline: inline, part: part))
            }
        }
        return attachments
    }

    private func decodeBase64(_ content: String, at path: String, reader: inout JSONFieldReader) -> Data? {
        switch AttachmentContent.decode(content, maxBytes: maxAttachmentBytes) {
        case .success(let bytes): return bytes
        case .failure(let failure):
            reader.fail(path, failure.description)
            return nil
        }
    }
}

private func nonBlank(_ text: String) -> String? {
    text.allSatisfy(\.isWhitespace) ? nil : text
}
