import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1.1 channel with deadlines on what the client sends.
///
/// Hummingbird's own `idleTimeout` counts from the last decoded part, so a client that sends
/// half a request head, or trickles a body a byte at a time, holds its connection (and a file
/// descriptor) for as long as it likes: 3 000 half-sent heads were all still open after 45 s.
/// Here every request must arrive in full — head and body — within `readTimeout` of its first
/// byte (of the connection's opening, for the first request), and a keep-alive connection
/// with no request for `idleTimeout` is closed.
///
/// Two handlers share one clock: `ArrivalClock` at the front of the pipeline sees bytes arrive
/// (a head that never completes is only bytes), `RequestProgress` after the HTTP codec sees a
/// request's end and its response's end.
struct DeadlineHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let readTimeout: TimeAmount
    let idleTimeout: TimeAmount

    init(responder: @escaping HTTPChannelHandler.Responder, readTimeout: TimeAmount, idleTimeout: TimeAmount) {
        http1 = HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [RequestProgress()]))
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                ArrivalClock(readTimeout: readTimeout, idleTimeout: idleTimeout, logger: logger), position: .first)
        }.flatMap { http1.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }

    static func builder(readTimeoutSecs: Int, idleTimeoutSecs: Int) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            DeadlineHTTP1Channel(responder: responder, readTimeout: .seconds(Int64(readTimeoutSecs)), idleTimeout: .seconds(Int64(idleTimeoutSecs)))
        }
    }
}

/// The deadline of one connection: bytes of a request must be followed by its end within the
/// read timeout; after a response, the next request must begin within the idle timeout.
final class ArrivalClock: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    enum State {
        /// Opened, or answered and kept alive: waiting for the first byte of a request.
        case waiting(firstRequest: Bool)
        /// Bytes of a request have arrived; its end has not.
        case reading(headSeen: Bool)
        /// The whole request is in; the route is answering.
        case answering
    }

    private let readTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let logger: Logger
    private var state = State.waiting(firstRequest: true)
    private var timer: Scheduled<Void>?

    static let headTimeouts = Counter(label: "intake_http_timeouts_total", dimensions: [("phase", "head")])
    static let bodyTimeouts = Counter(label: "intake_http_timeouts_total", dimensions: [("phase", "body")])
    static let idleCloses = Counter(label: "intake_http_timeouts_total", dimensions: [("phase", "idle")])

    init(readTimeout: TimeAmount, idleTimeout: TimeAmount, logger: Logger) {
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The first request must arrive in full within the read timeout of the connection's opening.
        schedule(context, in: readTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .waiting(let firstRequest) = state {
            state = .reading(headSeen: false)
            // A kept-alive connection's next request: its read deadline starts with its first byte.
            if !firstRequest { schedule(context, in: readTimeout) }
        }
        context.fireChannelRead(data)
    }

    func headArrived() {
        if case .reading = state { state = .reading(headSeen: true) }
    }

    func requestEnded() {
        state = .answering
        timer?.cancel()
        timer = nil
    }

    func responseEnded(context: ChannelHandlerContext) {
        guard case .answering = state else { return }
        state = .waiting(firstRequest: false)
        schedule(context, in: idleTimeout)
    }

    private func schedule(_ context: ChannelHandlerContext, in delay: TimeAmount) {
        timer?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay) {
            let (clock, context) = loopBound.value
            clock.expired(context)
        }
    }

    private func expired(_ context: ChannelHandlerContext) {
        timer = nil
        let peer = context.remoteAddress.map { "\($0)" } ?? "?"
        switch state {
        case .answering:
            return
        case .waiting(firstRequest: false):
            Self.idleCloses.increment()
            logger.debug("closed an idle keep-alive connection", metadata: ["intake.peer": "\(peer)"])
        case .waiting(firstRequest: true), .reading(headSeen: false):
            Self.headTimeouts.increment()
            logger.info(
                "closed a connection whose request head did not arrive in time",
                metadata: ["intake.peer": "\(peer)", "intake.read_timeout_secs": "\(readTimeout.nanoseconds / 1_000_000_000)"])
        case .reading(headSeen: true):
            Self.bodyTimeouts.increment()
            logger.info(
                "closed a connection whose request body did not arrive in time",
                metadata: ["intake.peer": "\(peer)", "intake.read_timeout_secs": "\(readTimeout.nanoseconds / 1_000_000_000)"])
        }
        context.close(promise: nil)
    }
}

/// Tells the connection's `ArrivalClock` when a request has arrived in full and when its
/// response has gone out.
final class RequestProgress: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var clock: ArrivalClock?

    func handlerAdded(context: ChannelHandlerContext) {
        clock = try? context.pipeline.syncOperations.handler(type: ArrivalClock.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: clock?.headArrived()
        case .body: break
        case .end: clock?.requestEnded()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), let clock {
            context.write(data, promise: promise)
            guard let arrival = try? context.pipeline.syncOperations.context(handlerType: ArrivalClock.self) else { return }
            clock.responseEnded(context: arrival)
            return
        }
        context.write(data, promise: promise)
    }
}
