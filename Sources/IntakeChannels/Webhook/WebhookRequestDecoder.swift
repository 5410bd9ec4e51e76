import Crypto
import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore

/// Reads a webhook body (`{...}` or `{"requests": [...]}`) into drafts, collecting every
/// field error with its JSON pointer instead of stopping at the first.
struct WebhookRequestDecoder {
    var maxRequestsPerBatch: Int
    var maxAttachmentBytes: Int
    var maxAttachmentsPerRequest: Int

    struct Decoded {
        var drafts: [CaseDraft]
        /// Attachment bytes by SHA-256, to be stored before the cases commit.
        var blobs: [String: Data]
        var isBatch: Bool
    }

    func decode(_ body: JSONValue) -> Result<Decoded, IntakeRejection> {
        var errors: [FieldError] = []
        var decoded = Decoded(drafts: [], blobs: [:], isBatch: false)
        guard case .object(let top) = body else {
            return .failure(.unprocessable([FieldError("/", "expected a JSON object, found \(body.typeName)")]))
        }
        if let requests = top["requests"] {
            decoded.isBatch = true
            guard case .array(let items) = requests else {
                return .failure(.unprocessable([FieldError("/requests", "expected an array, found \(requests.typeName)")]))
            }
            if items.isEmpty { errors.append(FieldError("/requests", "is empty")) }
            if items.count > maxRequestsPerBatch {
                errors.append(FieldError("/requests", "has \(items.count) requests; at most \(maxRequestsPerBatch) per batch"))
            }
            for key in top.keys where key != "requests" {
                errors.append(FieldError("/\(JSONFieldReader.escape(key))", "unexpected beside \"requests\" in a batch"))
            }
            if errors.isEmpty {
                for (index, item) in items.enumerated() {
                    if let draft = decodeRequest(item, at: "/requests/\(index)", errors: &errors, blobs: &decoded.blobs) {
                        decoded.drafts.append(draft)
                    }
                }
            }
        } else if let draft = decodeRequest(body, at: "", errors: &errors, blobs: &decoded.blobs) {
            decoded.drafts.append(draft)
        }
        return errors.isEmpty ? .success(decoded) : .failure(.unprocessable(errors))
    }

    private func decodeRequest(_ value: JSONValue, at path: String, errors: inout [FieldError], blobs: inout [String: Data]) -> CaseDraft? {
        guard case .object(var fields) = value else {
            errors.append(FieldError(path.isEmpty ? "/" : path, "expected a JSON object, found \(value.typeName)"))
            return nil
        }
        let errorCount = errors.count
        var reader = JSONFieldReader(path: path, errors: errors)
        defer { errors = reader.errors }
        let description = reader.string(&fields, "description")
        var draft = CaseDraft(description: description ?? "")
        if description == nil {
            reader.errors.append(FieldError("\(path)/description", "is required"))
        } else if description!.allSatisfy(\.isWhitespace) {
            reader.errors.append(FieldError("\(path)/description", "must not be empty"))
        }
        draft.ref = reader.string(&fields, "ref")
        if let ref = draft.ref, ref.isEmpty || ref.utf8.count > 200 {
            reader.errors.append(FieldError("\(path)/ref", "must be 1 to 200 bytes"))
        }
        if let text = reader.string(&fields, "reported_at") {
            draft.reportedAt = Timestamp.parse(text)
            if draft.reportedAt == nil {
                reader.errors.append(FieldError("\(path)/reported_at", "\"\(text)\" is not an RFC 3339 timestamp with offset"))
            }
        }
        draft.subject = reader.string(&fields, "subject")
        draft.sourceCategory = reader.string(&fields, "category")
        if let priority = reader.string(&fields, "priority") {
            if let value = Priority(rawValue: priority) { draft.priority = value } else {
                reader.errors.append(FieldError("\(path)/priority", "must be \"normal\" or \"urgent\", not \"\(priority)\""))
            }
        }
        if var requester = reader.object(&fields, "requester") {
            draft.requesterName = reader.string(&requester, "name", in: "requester")
            draft.requesterPhone = reader.string(&requester, "phone", in: "requester")
            draft.requesterEmail = reader.string(&requester, "email", in: "requester")
            draft.requesterRole = reader.string(&requester, "role", in: "requester")
            for (key, value) in requester { draft.extra["requester.\(key)"] = value }
        }
        if var enterprise = reader.object(&fields, "enterprise") {
            draft.enterpriseName = reader.string(&enterprise, "name", in: "enterprise")
            draft.enterpriseUSCC = reader.string(&enterprise, "uscc", in: "enterprise")
            for (key, value) in enterprise { draft.extra["enterprise.\(key)"] = value }
        }
        if var location = reader.object(&fields, "location") {
            draft.address = reader.string(&location, "address", in: "location")
            draft.district = reader.string(&location, "district", in: "location")
            for (key, value) in location { draft.extra["location.\(key)"] = value }
        }
        if let attachments = fields.removeValue(forKey: "attachments") {
            draft.attachments = decodeAttachments(attachments, at: "\(path)/attachments", errors: &reader.errors, blobs: &blobs)
        }
        let reachable = [draft.requesterPhone, draft.requesterEmail, draft.enterpriseUSCC, draft.enterpriseName]
            .contains { $0.map { !$0.allSatisfy(\.isWhitespace) } ?? false }
        if !reachable {
            reader.errors.append(FieldError(
                path.isEmpty ? "/" : path,
                "needs a way to reach the requester or identify the enterprise: requester.phone, requester.email, enterprise.uscc or enterprise.name"))
        }
        draft.extra.merge(fields) { first, _ in first }
        return reader.errors.count == errorCount ? draft : nil
    }

    private func decodeAttachments(_ value: JSONValue, at path: String, errors: inout [FieldError], blobs: inout [String: Data]) -> [Attachment] {
        guard case .array(let items) = value else {
            errors.append(FieldError(path, "expected an array, found \(value.typeName)"))
            return []
        }
        if items.count > maxAttachmentsPerRequest {
            errors.append(FieldError(path, "has \(items.count) attachments; at most \(maxAttachmentsPerRequest)"))
            return []
        }
        var attachments: [Attachment] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)/\(index)"
            guard case .object(var fields) = item else {
                errors.append(FieldError(itemPath, "expected a JSON object, found \(item.typeName)"))
                continue
            }
            var reader = JSONFieldReader(path: itemPath, errors: errors)
            let name = reader.string(&fields, "name")
            let mediaType = reader.string(&fields, "media_type")
            let content = reader.string(&fields, "content_base64")
            errors = reader.errors
            if name == nil { errors.append(FieldError("\(itemPath)/name", "is required")) }
            guard let content else {
                errors.append(FieldError("\(itemPath)/content_base64", "is required"))
                continue
            }
            let bytes: Data
            switch AttachmentContent.decode(content, maxBytes: maxAttachmentBytes) {
            case .success(let decoded): bytes = decoded
            case .failure(let failure):
                errors.append(FieldError("\(itemPath)/content_base64", failure.description))
                continue
            }
            let sha256 = SHA256.hash(data: bytes).hexString
            blobs[sha256] = bytes
            attachments.append(Attachment(
                sha256: sha256, name: AttachmentName.sanitized(name ?? ""),
                mediaType: mediaType.flatMap { $0.isEmpty ? nil : $0 } ?? "application/octet-stream", size: bytes.count))
        }
        return attachments
    }
}
