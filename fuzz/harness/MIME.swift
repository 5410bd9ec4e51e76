// libFuzzer target: MIMEParser.parse over arbitrary bytes. It must never trap and its output
// must keep the promises the parser documents.
import Foundation
import IntakeChannels

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIME(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Data(bytes(data, size))
    // Odd lengths use a tiny attachment limit, so the measure-but-do-not-keep path runs too.
    let limit = size % 2 == 0 ? 10 << 20 : 16
    let message = MIMEParser.parse(input, maxAttachmentBytes: limit, maxDepth: size % 3 == 0 ? 3 : 20)
    for attachment in message.attachments {
        check(attachment.size >= 0, "negative attachment size")
        if let kept = attachment.data {
            check(kept.count == attachment.size, "kept \(kept.count) bytes but size says \(attachment.size)")
            check(kept.count <= limit, "kept \(kept.count) bytes over the limit \(limit)")
        } else {
            check(attachment.size > limit, "dropped an attachment of \(attachment.size) bytes under the limit \(limit)")
        }
        let name = attachment.name
        check(!name.isEmpty, "empty attachment name")
        check(!name.contains("/") && !name.contains("\\"), "attachment name with a path separator: \(name.debugDescription)")
        check(!name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "attachment name with a control character")
        check(name.utf8.count <= 255, "attachment name over 255 bytes")
        check(name != "." && name != "..", "attachment name \(name)")
    }
    check(message.attachments.count <= MIMEParser.maxParts, "more attachments than parts")
    return 0
}
