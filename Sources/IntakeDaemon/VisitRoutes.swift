import HTTPTypes
import Hummingbird
import IntakeChannels
import IntakeCore
import NIOCore

/// `POST /v1/visits` (JSON, or multipart/form-data with a `visit` part and file parts) and
/// `GET /v1/schema/visit`.
struct VisitRoutes {
    let intake: VisitIntake

    func add(to router: Router<BasicRequestContext>) {
        router.post("/v1/visits") { request, _ -> Response in
            let headers = HTTPIntakeResponse.headers(request, idempotencyKey: false)
            if headers.signature == nil, headers.authorization == nil {
                return HTTPIntakeResponse.response(await intake.handle(headers, contentType: nil, body: []))
            }
            let limit = intake.settings.maxBodyBytes
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                return HTTPIntakeResponse.response(await intake.refuseTooLarge())
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: limit)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                // Over the limit as it arrived (a chunked body has no Content-Length; collect throws
                // NIOTooManyBytesError): the same answer and trace as a declared length.
                return HTTPIntakeResponse.response(await intake.refuseTooLarge())
            }
            return HTTPIntakeResponse.response(await intake.handle(headers, contentType: request.headers[.contentType], body: Array(body.readableBytesView)))
        }
        router.get("/v1/schema/visit") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/schema+json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: try VisitSchema.data())))
        }
    }
}
