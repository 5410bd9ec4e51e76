import Foundation

/// The one decoder for an attachment's `content_base64`, used by the webhook and the visit
/// channel alike.
///
/// RFC 4648 §4 base64 with its standard alphabet, strictly: whitespace may wrap the text
/// (MIME-style line breaks), `=` pads only the end, the length is a multiple of four, and any
/// other character is an error naming itself and its offset. Foundation's
/// `Data(base64Encoded:options: .ignoreUnknownCharacters)` turned `QUJD!!!!` into "ABC" and
/// `%%%%` into nothing, which is why this is not left to it: bytes a sender did not mean to
/// send must never become an attachment.
public enum AttachmentContent {
    /// Decodes `text`, refusing before decoding anything that would be larger than `maxBytes`.
    /// - Returns: the bytes, or a message for the field's error.
    public static func decode(_ text: String, maxBytes: Int) -> Result<Data, Failure> {
        let utf8 = text.utf8
        // Base64 is 4/3 of the bytes: refuse before decoding anything too large.
        if utf8.count / 4 * 3 > maxBytes + 3 { return .failure(.tooLarge(limit: maxBytes)) }
        return utf8.withContiguousStorageIfAvailable { decode($0, maxBytes: maxBytes) }
            ?? decode(Array(utf8), maxBytes: maxBytes)
    }

    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case tooLarge(limit: Int)
        case invalid(String)

        public var description: String {
            switch self {
            case .tooLarge(let limit): "attachment larger than \(limit) bytes"
            case .invalid(let reason): "is not valid base64: \(reason)"
            }
        }
    }

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    private static func decode(_ input: some Collection<UInt8>, maxBytes: Int) -> Result<Data, Failure> {
        let table = values
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count / 4 * 3)
        var quantum: UInt32 = 0
        var count = 0
        var symbols = 0
        var padding = 0
        for (offset, byte) in input.enumerated() {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                continue
            case UInt8(ascii: "="):
                padding += 1
                symbols += 1
                if padding > 2 || count < 2 {
                    return .failure(.invalid("\"=\" at offset \(offset) where no padding can be"))
                }
                continue
            default:
                break
            }
            let value = table[Int(byte)]
            guard value != 0xFF else { return .failure(.invalid(unexpected(byte, at: offset))) }
            guard padding == 0 else {
                return .failure(.invalid("data after the \"=\" padding at offset \(offset)"))
            }
            symbols += 1
            quantum = quantum << 6 | UInt32(value)
            count += 1
            if count == 4 {
                bytes.append(UInt8(truncatingIfNeeded: quantum >> 16))
                bytes.append(UInt8(truncatingIfNeeded: quantum >> 8))
                bytes.append(UInt8(truncatingIfNeeded: quantum))
                quantum = 0
                count = 0
            }
        }
        guard symbols % 4 == 0 else {
            return .failure(.invalid("\(symbols) characters, not a multiple of 4 (is the padding missing, or the text cut short?)"))
        }
        switch (count, padding) {
        case (0, 0): break
        case (2, 2): bytes.append(UInt8(truncatingIfNeeded: quantum >> 4))
        case (3, 1):
            bytes.append(UInt8(truncatingIfNeeded: quantum >> 10))
            bytes.append(UInt8(truncatingIfNeeded: quantum >> 2))
        default:
            return .failure(.invalid("the padding does not match the length"))
        }
        if bytes.count > maxBytes { return .failure(.tooLarge(limit: maxBytes)) }
        return .success(Data(bytes))
    }

    private static func unexpected(_ byte: UInt8, at offset: Int) -> String {
        let shown = (0x21...0x7E).contains(byte) ? "\"\(Character(UnicodeScalar(byte)))\"" : String(format: "byte 0x%02X", byte)
        let hint = byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            ? " (that is base64url; send standard base64 with \"+\" and \"/\")" : ""
        return "\(shown) at offset \(offset) is not in the base64 alphabet (A–Z, a–z, 0–9, +, /)\(hint)"
    }
}
