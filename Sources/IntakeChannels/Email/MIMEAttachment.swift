import Foundation

/// A part of a message that is not its body text: a file, an image, a forwarded message.
public struct MIMEAttachment: Sendable, Hashable {
    /// The sender's name for it, decoded (RFC 2231 or 2047) and sanitised with
    /// `AttachmentName`; "attachment-N" when it has none. Never used as a path.
    public var name: String
    /// Lower-cased type/subtype.
    public var mediaType: String
    /// Decoded size in bytes.
    public var size: Int
    /// The decoded bytes; nil when over the parser's limit (`size` is still right).
    public var data: Data?

    public init(name: String, mediaType: String, size: Int, data: Data?) {
        self.name = name
        self.mediaType = mediaType
        self.size = size
        self.data = data
    }
}
