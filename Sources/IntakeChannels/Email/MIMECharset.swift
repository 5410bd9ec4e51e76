import Foundation
import IntakeCore

/// Bytes in a declared charset turned into text, through `CharsetConverter` (iconv).
///
/// Mail lies about its charset: "gb2312" holds GBK, "us-ascii" holds UTF-8, labels are
/// misspelt. So UTF-8 is tried first when the label is ASCII, an unknown label falls back to
/// UTF-8 then GB18030, and whatever still does not decode becomes U+FFFD and is reported.
enum MIMECharset {
    struct Decoded {
        var text: String
        /// What did not decode cleanly, without the "part N:" prefix; nil when clean.
        var problem: String?
    }

    static func decode(_ bytes: ArraySlice<UInt8>, charset label: String?) -> Decoded {
        let label = label.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if let text = strictUTF8(bytes) {
            // ASCII is the same in every charset we meet; valid UTF-8 under an ASCII or absent label is UTF-8.
            if (isASCII(bytes) && isASCIICompatible(label)) || label.isEmpty || label == "us-ascii" || label == "ascii" || label.hasPrefix("utf-8") || label == "utf8" {
                return Decoded(text: text)
            }
        }
        if label.isEmpty || label == "us-ascii" || label == "ascii" {
            // 8-bit bytes with no (or an ASCII) label: Chinese clients mean GBK.
            let converted = convert(bytes, from: "GB18030")
            let problem = "8-bit bytes labelled \(label.isEmpty ? "with no charset" : label) read as GB18030"
            return Decoded(text: converted.text, problem: converted.replaced > 0 ? problem + ", \(TransferDecoding.counted(converted.replaced, "byte sequence")) undecodable" : problem)
        }
        guard isSafeLabel(label), let converter = try? CharsetConverter(from: label) else {
            if let text = strictUTF8(bytes) {
                return Decoded(text: text, problem: "unknown charset '\(printable(label))', read as UTF-8")
            }
            let converted = convert(bytes, from: "GB18030")
            var problem = "unknown charset '\(printable(label))', read as GB18030"
            if converted.replaced > 0 { problem += ", \(TransferDecoding.counted(converted.replaced, "byte sequence")) undecodable" }
            return Decoded(text: converted.text, problem: problem)
        }
        let converted = convert(bytes, with: converter)
        guard converted.replaced > 0 else { return Decoded(text: converted.text) }
        return Decoded(text: converted.text, problem: "\(TransferDecoding.counted(converted.replaced, "byte sequence")) undecodable as \(label)")
    }

    static func strictUTF8(_ bytes: ArraySlice<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// UTF-16 text of Latin letters is valid ASCII byte by byte, and ISO-2022 and HZ are 7-bit escapes.
    static func isASCIICompatible(_ label: String) -> Bool {
        !["utf-16", "utf-32", "utf-7", "ucs", "unicode", "iso-2022", "hz"].contains { label.hasPrefix($0) }
    }

    static func isASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 < 0x80 }
    }

    /// Labels go to iconv, which reads suffixes such as "//IGNORE": only plain names pass.
    static func isSafeLabel(_ label: String) -> Bool {
        !label.isEmpty && label.utf8.count <= 40 && label.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
        }
    }

    static func printable(_ label: String) -> String {
        String(label.unicodeScalars.prefix(40).map { $0.isASCII && $0.value >= 0x20 ? Character($0) : "?" })
    }

    private static func convert(_ bytes: ArraySlice<UInt8>, from charset: String) -> (text: String, replaced: Int) {
        guard let converter = try? CharsetConverter(from: charset) else {
            return (String(decoding: bytes, as: UTF8.self), 0)
        }
        return convert(bytes, with: converter)
    }

    private static func convert(_ bytes: ArraySlice<UInt8>, with converter: CharsetConverter) -> (text: String, replaced: Int) {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 3 / 2)
        bytes.withUnsafeBytes { converter.convert($0, into: &output) }
        converter.finish(into: &output)
        if let text = String(validating: output, as: UTF8.self) { return (text, converter.replacedSequences) }
        // glibc's "UTF-8" and "UCS-4" pass code points past U+10FFFF through as they are:
        // decoding repairs them, and they are counted like the sequences iconv refused.
        return (String(decoding: output, as: UTF8.self), converter.replacedSequences + illFormedCount(output))
    }

    private static func illFormedCount(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var count = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .error: count += 1
            case .emptyInput: return count
            }
        }
    }
}
