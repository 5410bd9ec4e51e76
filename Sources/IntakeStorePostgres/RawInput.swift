import Crypto
import Foundation
import IntakeCore
import IntakeStore

/// An input's bytes as a channel received them, stored with the cases made of it.
public struct RawInput: Sendable, Hashable {
    public var sha256: String
    public var channel: Channel
    public var source: String
    public var mediaType: String
    public var body: Data

    public init(channel: Channel, source: String, mediaType: String, body: Data) {
        self.sha256 = SHA256.hash(data: body).hexString
        self.channel = channel
        self.source = source
        self.mediaType = mediaType
        self.body = body
    }

    /// Rows of at most this many bytes: a large input is never one value in memory on the
    /// server, and a reader can stream it chunk by chunk.
    static let chunkSize = 1 << 20
}
