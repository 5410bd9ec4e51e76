import HTTPTypes
import Hummingbird
import IntakeChannels
import NIOCore

/// `POST /v1/requests`: HTTP around `WebhookIntake`.
struct WebhookRoutes {
    let intake: WebhookIntake

    func add(to router: Router<BasicRequestContext>) {
        router.post("/v1/requests") { request, _ -> Response in
            let headers = HTTPIntakeResponse.headers(request, idempotencyKey: true)
            // Nothing to authenticate with: refused before the body is read, so an anonymous
            // client cannot make the server buffer max_body_bytes.
            if headers.signature == nil, headers.authorization == nil {
                return HTTPIntakeResponse.response(await intake.handle(headers, body: []))
            }
            let limit = intake.configuration.maxBodyBytes
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                return HTTPIntakeResponse.response(await intake.refuseTooLarge(headers))
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: limit)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                // Over the limit as it arrived (a chunked body has no Content-Length; collect throws
                // NIOTooManyBytesError): the same answer and trace as a declared length.
                return HTTPIntakeResponse.response(await intake.refuseTooLarge(headers))
            }
            return HTTPIntakeResponse.response(await intake.handle(headers, body: Array(body.readableBytesView)))
        }
    }
}
