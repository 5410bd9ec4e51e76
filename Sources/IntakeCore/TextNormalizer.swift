import Foundation

/// Text normalisation shared by every channel. What is stored keeps the requester's words:
/// Unicode NFC, whitespace folded, full-width letters and digits as ASCII (ＡＢＣ１２３ are the
/// same letters), but Chinese full-width punctuation (，。？！：；（）) as written. What is
/// matched (deduplication, classification, identity keys, header names) is folded further:
/// every full-width ASCII form, and traditional characters read as simplified
/// (`matchingLine`). Nothing is truncated.
///
/// It runs on every text field of every request, so it works on UTF-8 bytes in one pass and
/// calls Foundation's NFC only for text that NFC could change.
public enum TextNormalizer {
    /// A single-line value (a name, a subject): every run of whitespace, line breaks
    /// included, becomes one space; both ends trimmed.
    public static func line(_ text: String) -> String {
        normalize(text, keepingLines: false, foldingPunctuation: false)
    }

    /// For finding things in text (a phone number written ０２２－６６２９００００): `block` with
    /// full-width punctuation folded to ASCII too; never for storage.
    public static func foldedBlock(_ text: String) -> String {
        normalize(text, keepingLines: true, foldingPunctuation: true)
    }

    /// For matching, never for storage: `line` with full-width punctuation folded to ASCII
    /// (`（` → `(`, `，` → `,`) and traditional characters read as simplified (OpenCC).
    public static func matchingLine(_ text: String) -> String {
        ChineseScript.simplified(normalize(text, keepingLines: false, foldingPunctuation: true))
    }

    /// A multi-line value (a description): line breaks are kept, at most one blank line in a
    /// row, other whitespace folded as in `line`, each line trimmed.
    public static func block(_ text: String) -> String {
        normalize(text, keepingLines: true, foldingPunctuation: false)
    }

    private static func normalize(_ text: String, keepingLines: Bool, foldingPunctuation: Bool) -> String {
        var text = text
        if needsNFC(text) { text = text.precomposedStringWithCanonicalMapping }
        var utf8 = text.utf8
        if let result = utf8.withContiguousStorageIfAvailable({ fold($0, keepingLines: keepingLines, foldingPunctuation: foldingPunctuation) }) {
            return result
        }
        text.makeContiguousUTF8()
        utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { fold($0, keepingLines: keepingLines, foldingPunctuation: foldingPunctuation) }!
    }

    private enum Class { case other, space, lineBreak }

    private static func fold(_ input: UnsafeBufferPointer<UInt8>, keepingLines: Bool, foldingPunctuation: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var pendingSpace = false
        var pendingBreaks = 0
        var index = 0
        while index < input.count {
            let lead = input[index]
            let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            let end = min(index + length, input.count)
            var value = UInt32(lead)
            if length > 1 {
                value &= UInt32(0xFF >> (length + 1))
                for position in (index + 1)..<end { value = value << 6 | UInt32(input[position] & 0x3F) }
            }
            var replacement: UInt8?
            if (0xFF01...0xFF5E).contains(value) {
                let ascii = UInt8(value - 0xFEE0)
                // Letters and digits always; punctuation and symbols only for matching.
                if foldingPunctuation || (0x30...0x39).contains(ascii) || (0x41...0x5A).contains(ascii) || (0x61...0x7A).contains(ascii) {
                    replacement = ascii
                }
            }
            switch classify(value) {
            case .lineBreak where keepingLines:
                // \r\n counts once: a \n right after \r adds nothing.
                if !(value == 0x0A && index > 0 && input[index - 1] == 0x0D) {
                    if !out.isEmpty { pendingBreaks += 1 }
                }
                pendingSpace = false
            case .lineBreak, .space:
                if !out.isEmpty, pendingBreaks == 0 { pendingSpace = true }
            case .other:
                if pendingBreaks > 0 {
                    out.append(0x0A)
                    if pendingBreaks > 1 { out.append(0x0A) }
                    pendingBreaks = 0
                } else if pendingSpace {
                    out.append(0x20)
                }
                pendingSpace = false
                if let replacement {
                    out.append(replacement)
                } else {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<end]))
                }
            }
            index = end
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func classify(_ value: UInt32) -> Class {
        switch value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: .lineBreak
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000, 0xFEFF: .space
        default: .other
        }
    }

    /// False when every scalar is unchanged by NFC in any context (no canonical decomposition,
    /// not combining, not composing with a neighbour): Chinese text in ASCII, CJK ideographs
    /// and punctuation, and full-width forms never needs Foundation's normaliser.
    static func needsNFC(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00...0xBF: continue                       // ASCII, Latin-1 punctuation and symbols
            case 0x2010...0x2027, 0x2030...0x205E: continue  // general punctuation (U+2000/2001 decompose)
            case 0x3000...0x3029, 0x3030...0x303F: continue  // CJK symbols and punctuation (U+302A… combine)
            case 0x4E00...0x9FFF: continue                   // CJK unified ideographs
            case 0xFF00...0xFFEF: continue                   // half- and full-width forms (compatibility only)
            default: return true
            }
        }
        return false
    }
}
