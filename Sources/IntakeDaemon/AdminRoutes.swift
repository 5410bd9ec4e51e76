import Hummingbird
import IntakeCore
import IntakeStore
import NIOCore

/// Health, readiness, metrics and the case schema.
struct AdminRoutes {
    let database: IntakeDatabase

    func add(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            json(.ok, #"{"status":"ok"}"#)
        }
        router.get("/readyz") { _, _ in
            database.isReadable()
                ? json(.ok, #"{"status":"ready"}"#)
                : json(.serviceUnavailable, #"{"status":"not ready","reason":"store is not readable"}"#)
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: Telemetry.exposition())))
        }
        router.get("/v1/schema") { _, _ in
            let schema = try CaseSchema.data()
            return Response(
                status: .ok, headers: [.contentType: "application/schema+json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: schema)))
        }
    }
}

private func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}
