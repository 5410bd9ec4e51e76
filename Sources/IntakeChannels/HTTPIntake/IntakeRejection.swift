import Foundation
import IntakeCore

/// Why the webhook refused a request: the HTTP status and a JSON body that says what and where.
public enum IntakeRejection: Error, Sendable, Hashable {
    case malformed(String)
    case unauthorized(String)
    case tooLarge(limit: Int)
    /// A body sent as something other than what the endpoint takes (`given` as the header wrote it).
    case unsupportedMediaType(given: String?, accepted: [String])
    case unprocessable([FieldError])
    case unavailable(String, retryAfterSecs: Int)

    public var status: Int {
        switch self {
        case .malformed: 400
        case .unauthorized: 401
        case .tooLarge: 413
        case .unsupportedMediaType: 415
        case .unprocessable: 422
        case .unavailable: 503
        }
    }

    /// A short code for metrics and the trace.
    public var reason: String {
        switch self {
        case .malformed: "malformed"
        case .unauthorized: "unauthorized"
        case .tooLarge: "too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .unprocessable: "unprocessable"
        case .unavailable: "unavailable"
        }
    }

    public var message: String {
        switch self {
        case .malformed(let message), .unauthorized(let message): message
        case .tooLarge(let limit): "request body is larger than \(limit) bytes"
        case .unsupportedMediaType(let given, let accepted):
            "\(given.map { "Content-Type \"\(String($0.prefix(100)))\" is not accepted" } ?? "the request has no Content-Type"); "
                + "send \(accepted.joined(separator: " or "))"
        case .unprocessable(let errors): "\(errors.count) field error\(errors.count == 1 ? "" : "s")"
        case .unavailable(let message, _): message
        }
    }

    /// The answer's body: `error` (the code) and each field error's `field` (its pointer) are
    /// stable; the field errors' messages are in the words of `catalogue` (English for the
    /// webhook, read by portals; the zone's language for visit uploads, read by field staff).
    public func body(_ catalogue: MessageCatalogue = .english) -> JSONValue {
        var object: [String: JSONValue] = ["error": .string(reason), "message": .string(message)]
        if case .unprocessable(let errors) = self {
            object["errors"] = .array(errors.map { .object(["field": .string($0.field), "message": .string(catalogue.text($0.problem))]) })
        }
        return .object(object)
    }
}

extension IntakeRejection {
    /// The media types a JSON endpoint takes: `application/json`, with no charset or UTF-8.
    static let json = "application/json (charset=utf-8 or none)"

    /// Checks a request's `Content-Type` against what an endpoint takes: JSON always (UTF-8
    /// only: RFC 8259 §8.1), `multipart/form-data` where `multipart` is true.
    /// - Returns: the refusal, or nil when the type is accepted.
    static func mediaType(_ header: String?, multipart: Bool = false) -> IntakeRejection? {
        let accepted = multipart ? [json, "multipart/form-data"] : [json]
        guard let header else { return .unsupportedMediaType(given: nil, accepted: accepted) }
        let type = MIMEParameters(header)
        switch type.value {
        case "application/json":
            if let charset = type["charset"], !["utf-8", "utf8"].contains(charset.lowercased()) { break }
            return nil
        case "multipart/form-data" where multipart:
            return nil
        default:
            break
        }
        return .unsupportedMediaType(given: header, accepted: accepted)
    }
}
