import Glibc

/// Converts a byte stream in a named charset to UTF-8, chunk by chunk, with glibc's iconv.
///
/// Foundation on Linux knows no GBK by IANA name, while iconv converts GB18030, GBK,
/// BIG5-HKSCS and UTF-16, which is what hotline exports and Chinese mail carry.
/// A chunk may end inside a multi-byte sequence: the tail is kept for the next call.
/// Undecodable input never stops the stream: each bad sequence becomes U+FFFD and is counted.
///
/// Not `Sendable`: iconv keeps per-stream state, so use one converter per stream.
public final class CharsetConverter {
    /// The charset iconv does not know, as it was asked for.
    public struct UnsupportedCharset: Error, Sendable, CustomStringConvertible {
        public let charset: String
        public var description: String { "iconv cannot convert from charset '\(charset)' to UTF-8" }
    }

    /// The charset actually handed to iconv, after `canonicalName(_:)`.
    public let charset: String

    /// Undecodable sequences replaced with U+FFFD so far.
    public private(set) var replacedSequences = 0

    private let descriptor: iconv_t
    /// The start of a multi-byte sequence cut off by the end of the previous chunk.
    private var pending: [UInt8] = []
    /// Where iconv writes before the bytes are appended to the caller's array.
    private let scratch: UnsafeMutableBufferPointer<CChar>

    private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]
    /// Bytes borrowed from the next chunk to complete a cut sequence; longer than any
    /// sequence iconv waits on (GB18030 and UTF-16 surrogate pairs take 4).
    private static let lookahead = 16

    /// Opens a converter for `charset`, a label such as "gbk", "GB2312" or "utf-16le",
    /// normalised with `canonicalName(_:)`.
    public init(from charset: String) throws {
        let name = Self.canonicalName(charset)
        let descriptor = iconv_open("UTF-8", name)
        // iconv_open reports failure as (iconv_t)-1.
        guard let descriptor, Int(bitPattern: descriptor) != -1 else { throw UnsupportedCharset(charset: charset) }
        self.descriptor = descriptor
        self.charset = name
        scratch = .allocate(capacity: 1 << 16)
    }

    deinit {
        iconv_close(descriptor)
        scratch.deallocate()
    }

    /// Appends the UTF-8 for `input` to `output`; keeps an incomplete trailing sequence for the next call.
    public func convert(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        var remaining = input[...]
        while !pending.isEmpty, !remaining.isEmpty {
            // Complete the cut sequence with a few bytes of this chunk, then go on from where it ends.
            let borrowed = min(Self.lookahead, remaining.count)
            let joined = pending + remaining.prefix(borrowed)
            let leftover = joined.withUnsafeBytes { convertAvailable($0, into: &output) }
            if leftover > borrowed {
                pending = Array(joined.suffix(leftover))
                remaining = remaining.dropFirst(borrowed)
            } else {
                pending = []
                remaining = remaining.dropFirst(borrowed - leftover)
            }
        }
        let rest = UnsafeRawBufferPointer(rebasing: remaining)
        let leftover = convertAvailable(rest, into: &output)
        pending.append(contentsOf: rest.suffix(leftover))
    }

    /// Flushes at end of input; an incomplete trailing sequence becomes U+FFFD.
    ///
    /// The converter is then back in its initial state and can convert another stream.
    public func finish(into output: inout [UInt8]) {
        if !pending.isEmpty {
            // iconv only reports the start as incomplete; the bytes after it may still decode.
            var tail = pending
            pending = []
            while !tail.isEmpty {
                let leftover = tail.withUnsafeBytes { convertAvailable($0, into: &output) }
                guard leftover > 0 else { break }
                replace(into: &output)
                tail = Array(tail.suffix(leftover - 1))
            }
        }
        var outputStart: UnsafeMutablePointer<CChar>? = scratch.baseAddress
        var outputLeft = scratch.count
        _ = iconv(descriptor, nil, nil, &outputStart, &outputLeft)
        output.append(contentsOf: UnsafeRawBufferPointer(start: scratch.baseAddress, count: scratch.count - outputLeft))
    }

    /// Labels normalised the way mail and exports need: gb2312/gbk/cp936/x-gbk → GB18030
    /// (a superset; mail labelled gb2312 often holds GBK-only characters),
    /// big5 and its aliases (big5_tw, as Python's `email` writes it, big5-tw, x-big5) →
    /// BIG5-HKSCS, cp950/ms950/windows-950 → CP950, case-insensitive. Other labels go to iconv upper-cased.
    public static func canonicalName(_ label: String) -> String {
        let name = label.trimmingASCIIWhitespace().uppercased()
        switch name {
        case "GB2312", "GB_2312-80", "CSGB2312", "EUC-CN", "GBK", "CP936", "MS936", "WINDOWS-936", "X-GBK", "GB18030":
            return "GB18030"
        case "BIG5", "BIG-5", "CN-BIG5", "CSBIG5", "X-BIG5", "X-X-BIG5", "BIG5-TW", "BIG5_TW", "BIG5-HKSCS":
            return "BIG5-HKSCS"
        case "CP950", "MS950", "WINDOWS-950", "X-WINDOWS-950":
            // Microsoft's Big5, with the euro at A3E1 that BIG5-HKSCS lacks; glibc knows it.
            return "CP950"
        case "UTF8":
            return "UTF-8"
        default:
            return name
        }
    }

    /// Converts as much of `input` as is complete, replacing invalid sequences, and returns
    /// how many bytes at its end start a sequence that is not complete yet.
    private func convertAvailable(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Int {
        guard let base = input.baseAddress, input.count > 0 else { return 0 }
        // iconv takes `char **` but does not write through it.
        var inputStart: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: base).assumingMemoryBound(to: CChar.self)
        var inputLeft = input.count
        while inputLeft > 0 {
            var outputStart: UnsafeMutablePointer<CChar>? = scratch.baseAddress
            var outputLeft = scratch.count
            let result = iconv(descriptor, &inputStart, &inputLeft, &outputStart, &outputLeft)
            let failure = result == -1 ? errno : 0
            output.append(contentsOf: UnsafeRawBufferPointer(start: scratch.baseAddress, count: scratch.count - outputLeft))
            switch failure {
            case 0, E2BIG:
                continue
            case EINVAL:
                return inputLeft
            default:
                // EILSEQ: skip one byte and resynchronise on the next.
                replace(into: &output)
                inputStart! += 1
                inputLeft -= 1
            }
        }
        return 0
    }

    private func replace(into output: inout [UInt8]) {
        output.append(contentsOf: Self.replacementCharacter)
        replacedSequences += 1
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
