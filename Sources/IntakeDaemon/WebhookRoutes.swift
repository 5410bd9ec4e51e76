import HTTPTypes
import Hummingbird
import IntakeChannels
import NIOCore

/// `POST /v1/requests`: HTTP around `WebhookIntake`.
struct WebhookRoutes {
    let intake: WebhookIntake

    func add(to router: Router<BasicRequestContext>) {
        router.post("/v1/requests") { request, _ -> Response in
            let headers = WebhookIntake.Headers(
                signature: request.headers[.intakeSignature], authorization: request.headers[.authorization],
                source: request.headers[.intakeSource], idempotencyKey: request.headers[.idempotencyKey],
                contentType: request.headers[.contentType])
            // Nothing to authenticate with: refused before the body is read, so an anonymous
            // client cannot make the server buffer max_body_bytes.
            if headers.signature == nil, headers.authorization == nil {
                return Self.response(await intake.handle(headers, body: []))
            }
            let limit = intake.configuration.maxBodyBytes
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                return Self.response(await intake.refuseTooLarge(headers))
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: limit)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                // Over the limit as it arrived (a chunked body has no Content-Length; collect throws
                // NIOTooManyBytesError): the same answer and trace as a declared length.
                return Self.response(await intake.refuseTooLarge(headers))
            }
            return Self.response(await intake.handle(headers, body: Array(body.readableBytesView)))
        }
    }

    static func response(_ answer: WebhookIntake.Answer) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let seconds = answer.retryAfterSecs { headers[.retryAfter] = String(seconds) }
        if answer.replayed { headers[.idempotentReplayed] = "true" }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}

extension HTTPField.Name {
    static let intakeSignature = Self("X-Intake-Signature")!
    static let intakeSource = Self("X-Intake-Source")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}
