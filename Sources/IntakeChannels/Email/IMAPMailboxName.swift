import Foundation

/// Mailbox names as IMAP sends them: modified UTF-7 (RFC 3501 §5.1.3), so that a folder
/// called `已处理` reaches the server as `&XfJZBHQG-`.
enum IMAPMailboxName {
    /// The modified UTF-7 form of `name`: printable ASCII stays as it is (`&` becomes `&-`),
    /// every other run becomes `&` + base64 of its UTF-16 (`,` for `/`, no padding) + `-`.
    static func encode(_ name: String) -> String {
        var encoded = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            let bytes = pending.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
            let base64 = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "/", with: ",")
                .replacingOccurrences(of: "=", with: "")
            encoded += "&" + base64 + "-"
            pending.removeAll()
        }
        for scalar in name.unicodeScalars {
            if (0x20...0x7e).contains(scalar.value) {
                flush()
                encoded += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return encoded
    }

    /// `encoded` as an IMAP quoted string, for commands we write ourselves.
    static func quoted(_ encoded: String) -> String {
        "\"" + encoded.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `encoded` as a URL path segment: libcurl decodes the path and quotes the name itself.
    static func urlPath(_ encoded: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~&,")
        // `alphanumerics` includes non-ASCII letters; the encoded name is ASCII, so no matter.
        return encoded.addingPercentEncoding(withAllowedCharacters: allowed) ?? encoded
    }
}
