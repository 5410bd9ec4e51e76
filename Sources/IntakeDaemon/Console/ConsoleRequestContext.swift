import Hummingbird
import NIOCore

/// The console's request context: the peer's address, for the login throttle.
public struct ConsoleRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Form posts are small: a list of ids at most.
    public var maxUploadSize: Int { 256 << 10 }
}
