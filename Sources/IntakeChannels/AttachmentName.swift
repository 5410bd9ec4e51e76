import Foundation

/// Attachment names are the sender's words, kept for people to read. They are never used as
/// paths (bytes live under their SHA-256), but they are cleaned so that nobody downstream is
/// tempted: no directories, no control characters, no reserved device names, bounded length.
public enum AttachmentName {
    static let reservedDeviceNames: Set<String> = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ]

    public static func sanitized(_ given: String) -> String {
        let lastComponent = given.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var name = String(lastComponent.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        name = name.trimmingCharacters(in: [" ", "."])
        let stem = name.split(separator: ".").first.map { $0.uppercased() } ?? ""
        if reservedDeviceNames.contains(stem) { name = "_" + name }
        if name.isEmpty { name = "attachment" }
        while name.utf8.count > 255 { name.removeLast() }
        return name
    }
}
