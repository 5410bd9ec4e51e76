import Foundation
import IntakeCore

/// Why the webhook refused a request: the HTTP status and a JSON body that says what and where.
public enum WebhookRejection: Error, Sendable, Hashable {
    case malformed(String)
    case unauthorized(String)
    case tooLarge(limit: Int)
    case unprocessable([FieldError])
    case unavailable(String, retryAfterSecs: Int)

    public var status: Int {
        switch self {
        case .malformed: 400
        case .unauthorized: 401
        case .tooLarge: 413
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
        case .unprocessable: "unprocessable"
        case .unavailable: "unavailable"
        }
    }

    public var message: String {
        switch self {
        case .malformed(let message), .unauthorized(let message): message
        case .tooLarge(let limit): "request body is larger than \(limit) bytes"
        case .unprocessable(let errors): "\(errors.count) field error\(errors.count == 1 ? "" : "s")"
        case .unavailable(let message, _): message
        }
    }

    public var body: JSONValue {
        var object: [String: JSONValue] = ["error": .string(reason), "message": .string(message)]
        if case .unprocessable(let errors) = self {
            object["errors"] = .array(errors.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
        }
        return .object(object)
    }
}
