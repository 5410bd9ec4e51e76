// libFuzzer target: a webhook body through JSONParser, then WebhookRequestDecoder, as the
// route does. Parsed values must survive serialisation unchanged.
import Foundation
import IntakeCore
@testable import IntakeChannels

private let decoder = WebhookRequestDecoder(maxRequestsPerBatch: 5, maxAttachmentBytes: 64, maxAttachmentsPerRequest: 3)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhook(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    guard let value = try? JSONParser.parse(input) else { return 0 }
    let text = value.serialized()
    guard let again = try? JSONParser.parse(Array(text.utf8)) else { fatalError("serialized JSON does not parse: \(text)") }
    check(again == value, "serialisation changed the value: \(text)")
    switch decoder.decode(value) {
    case .success(let decoded):
        check(!decoded.drafts.isEmpty, "accepted with no drafts")
        for draft in decoded.drafts {
            check(!draft.description.allSatisfy(\.isWhitespace), "accepted a blank description")
            for attachment in draft.attachments {
                check(decoded.blobs[attachment.sha256]?.count == attachment.size, "attachment without its blob")
                check(attachment.size <= decoder.maxAttachmentBytes, "attachment over the limit")
            }
        }
    case .failure(let rejection):
        check(rejection.status == 422, "status \(rejection.status)")
        if case .unprocessable(let errors) = rejection { check(!errors.isEmpty, "rejected without an error") }
        _ = rejection.body.serialized()
    }
    return 0
}
