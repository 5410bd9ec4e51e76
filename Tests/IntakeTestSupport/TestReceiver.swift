import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A routing service stand-in on a loopback port: real HTTP, scripted answers, and a record
/// of every request it received.
package final class TestReceiver: Sendable {
    package struct Received: Sendable {
        package let at: Date
        package let idempotencyKey: String?
        package let signature: String?
        package let eventCount: String?
        package let body: Data
        /// Every header name and value as received.
        package var fields: [(name: String, value: String)] = []
    }

    package struct Answer: Sendable {
        package var status: Int
        package var headers: [String: String] = [:]
        package var body: String = ""
        /// Time taken before answering, to hold deliveries in flight.
        package var delayMillis: Int = 0

        package init(status: Int, headers: [String: String] = [:], body: String = "", delayMillis: Int = 0) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delayMillis = delayMillis
        }
    }

    private let state = Mutex<(received: [Received], script: [Answer], fallback: Answer, refusals: [(marker: Data, answer: Answer)])>(
        ([], [], Answer(status: 200), []))
    package let port: Int
    private let task: Task<Void, any Error>

    /// Starts on `port` (0 picks a free one).
    package static func start(port: Int = 0) async throws -> TestReceiver {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let box = Box()
        let router = Router()
        router.post("/events") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 << 20)
            let answer = box.receiver!.take(Received(
                at: Date(), idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!],
                signature: request.headers[HTTPField.Name("X-Intake-Signature")!],
                eventCount: request.headers[HTTPField.Name("X-Intake-Event-Count")!], body: Data(body.readableBytesView),
                fields: request.headers.map { ($0.name.rawName, $0.value) }))
            if answer.delayMillis > 0 { try await Task.sleep(for: .milliseconds(answer.delayMillis)) }
            var headers = HTTPFields()
            for (name, value) in answer.headers { headers[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? port) })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw CancellationError() }
        let receiver = TestReceiver(port: bound, task: task)
        box.receiver = receiver
        return receiver
    }

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    package var url: String { "http://127.0.0.1:\(port)/events" }

    /// Answers the next requests with `answers` in order, then with `fallback`.
    package func script(_ answers: [Answer], then fallback: Answer = Answer(status: 200)) {
        state.withLock { $0.script = answers; $0.fallback = fallback }
    }

    /// Answers every request whose body contains `marker` with `answer`, before the script:
    /// a receiver that refuses one event wherever it travels, alone or in a batch.
    package func refuse(bodiesContaining marker: String, with answer: Answer) {
        state.withLock { $0.refusals.append((Data(marker.utf8), answer)) }
    }

    package var received: [Received] { state.withLock { $0.received } }

    /// The idempotency keys of every event received, in order (batches unpacked).
    package var eventKeys: [String] {
        received.flatMap { request -> [String] in
            guard let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any] else { return [] }
            let events = object["events"] as? [[String: Any]] ?? [object]
            return events.compactMap { $0["idempotency_key"] as? String }
        }
    }

    package func stop() async {
        task.cancel()
        _ = await task.result
    }

    private func take(_ request: Received) -> Answer {
        state.withLock { state in
            state.received.append(request)
            if let refusal = state.refusals.first(where: { request.body.range(of: $0.marker) != nil }) { return refusal.answer }
            return state.script.isEmpty ? state.fallback : state.script.removeFirst()
        }
    }

    private final class Box: @unchecked Sendable {
        package var receiver: TestReceiver?
    }
}
