import Foundation

/// Text normalisation shared by every channel: Unicode NFC, full-width ASCII folded to
/// ASCII, whitespace folded. Nothing is truncated.
public enum TextNormalizer {
    /// A single-line value (a name, a subject): every run of whitespace becomes one space.
    public static func line(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in folded(text).unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{200B}" || scalar == "\u{FEFF}" {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            out.append(scalar)
        }
        return String(out)
    }

    /// A multi-line value (a description): line breaks are kept, at most one blank line in a
    /// row, other whitespace folded as in `line`, each line trimmed.
    public static func block(_ text: String) -> String {
        var lines: [String] = []
        var blankRun = 0
        for raw in folded(text).split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }) {
            let trimmed = line(String(raw))
            if trimmed.isEmpty {
                blankRun += 1
                if blankRun == 1, !lines.isEmpty { lines.append("") }
            } else {
                blankRun = 0
                lines.append(trimmed)
            }
        }
        if lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// NFC, then full-width ASCII (U+FF01…U+FF5E) and the ideographic space folded.
    static func folded(_ text: String) -> String {
        let nfc = text.precomposedStringWithCanonicalMapping
        guard nfc.unicodeScalars.contains(where: { (0xFF01...0xFF5E).contains($0.value) || $0.value == 0x3000 }) else {
            return nfc
        }
        var out = String.UnicodeScalarView()
        for scalar in nfc.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: out.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000: out.append(" ")
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
