// Shared by every fuzz target: the input as bytes, and invariant checks that stop the run
// like a crash does, so libFuzzer keeps the input that broke them.
import Foundation

@inline(__always)
func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError("invariant broken: \(message())", file: file, line: line) }
}

/// Whether `needle`'s UTF-8 occurs in `haystack`'s.
func containsBytes(_ haystack: String, _ needle: String) -> Bool {
    let h = Array(haystack.utf8), n = Array(needle.utf8)
    guard !n.isEmpty else { return true }
    guard n.count <= h.count else { return false }
    outer: for start in 0...(h.count - n.count) {
        for offset in 0..<n.count where h[start + offset] != n[offset] { continue outer }
        return true
    }
    return false
}
