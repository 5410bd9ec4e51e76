// libFuzzer target: a visit upload through JSONParser and VisitDecoder, then each valid
// visit into case drafts, as the route does.
import Foundation
import IntakeChannels
import IntakeCore

private let decoder = VisitDecoder(
    maxVisitsPerBatch: 5, maxAttachmentBytes: 64, maxAttachmentsPerVisit: 3, maxDemandsPerVisit: 10,
    maxNotesCharacters: 2_000, maxDemandCharacters: 300, maxParticipants: 5)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVisit(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    guard let value = try? JSONParser.parse(input) else { return 0 }
    switch decoder.decode(value) {
    case .success(let results):
        check(!results.isEmpty && results.count <= decoder.maxVisitsPerBatch, "\(results.count) results")
        for result in results {
            switch result {
            case .valid(let visit):
                check(!visit.demands.isEmpty && visit.demands.count <= decoder.maxDemandsPerVisit, "\(visit.demands.count) demands")
                check(visit.demands.allSatisfy { !$0.text.allSatisfy(\.isWhitespace) }, "a blank demand")
                check(visit.attachments.count <= decoder.maxAttachmentsPerVisit, "too many attachments")
                for attachment in visit.attachments {
                    check((attachment.inline == nil) != (attachment.part == nil), "attachment with both or neither of inline and part")
                    check((attachment.inline?.count ?? 0) <= decoder.maxAttachmentBytes, "inline attachment over the limit")
                }
                let drafts = VisitDecoder.drafts(for: visit)
                check(drafts.count == visit.demands.count, "\(drafts.count) drafts for \(visit.demands.count) demands")
            case .invalid(_, _, let errors):
                check(!errors.isEmpty, "invalid without an error")
            }
        }
    case .failure(let error):
        check(error.field.hasPrefix("/"), "error field \(error.field)")
    }
    return 0
}
