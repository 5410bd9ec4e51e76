// libFuzzer target: DemandSplitter.parts over arbitrary text (invalid UTF-8 repaired, as
// the JSON parser would refuse it). Items are never blank and are pieces of the notes.
import Foundation
import IntakePipeline

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSplitter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let notes = String(decoding: bytes(data, size), as: UTF8.self)
    let parts = DemandSplitter.parts(notes)
    // Unsplit notes are trimmed by CharacterSet (scalars), split items by Character: the two
    // differ on a space carrying a combining mark, so each is checked by its own rule.
    let whole = notes.trimmingCharacters(in: .whitespacesAndNewlines)
    check(whole.isEmpty == parts.items.isEmpty, "\(parts.items.count) items for notes \(whole.isEmpty ? "blank" : "not blank")")
    if parts.items.count == 1 {
        check(parts.preamble == nil && parts.items[0] == whole, "one item that is not the whole note")
    }
    for item in parts.items {
        check(!item.isEmpty, "an empty item")
        check(containsBytes(notes, item), "an item that is not a piece of the notes")
        if parts.items.count > 1 {
            check(!item.allSatisfy(\.isWhitespace), "a blank item")
            check(item.first?.isWhitespace != true && item.last?.isWhitespace != true, "an untrimmed item")
        }
    }
    if let preamble = parts.preamble {
        check(!preamble.isEmpty && containsBytes(notes, preamble), "a bad preamble")
    }
    check(DemandSplitter.split(notes) == parts.items, "split differs from parts")
    return 0
}
