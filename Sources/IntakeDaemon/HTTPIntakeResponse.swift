import HTTPTypes
import Hummingbird
import IntakeChannels
import NIOCore

/// The HTTP side of `IntakeAnswer`, shared by the webhook's and the visit channel's routes.
enum HTTPIntakeResponse {
    static func response(_ answer: IntakeAnswer) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let seconds = answer.retryAfterSecs { headers[.retryAfter] = String(seconds) }
        if answer.replayed { headers[.idempotentReplayed] = "true" }
        let buffer = ByteBuffer(bytes: answer.body)
        guard let after = answer.afterAnswer else {
            return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: buffer))
        }
        // The answer is written and ended (the client has it) before the work runs, still
        // inside the request's task.
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: ResponseBody(contentLength: buffer.readableBytes) { writer in
                try await writer.write(buffer)
                try await writer.finish(nil)
                await after.run()
            })
    }

    /// The headers both channels read from a request.
    static func headers(_ request: Request, idempotencyKey: Bool) -> IntakeHeaders {
        IntakeHeaders(
            signature: request.headers[.intakeSignature], authorization: request.headers[.authorization],
            source: request.headers[.intakeSource], idempotencyKey: idempotencyKey ? request.headers[.idempotencyKey] : nil,
            contentType: request.headers[.contentType])
    }
}

extension HTTPField.Name {
    static let intakeSignature = Self("X-Intake-Signature")!
    static let intakeSource = Self("X-Intake-Source")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}
