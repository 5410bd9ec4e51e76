/// RFC 3676 `format=flowed`: lines ending in a space continue on the next line of the same
/// quote depth; with `DelSp=yes` that space was added by the sender and is removed.
enum FlowedText {
    static func unflow(_ text: String, deleteSpace: Bool) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var open = false
        var openDepth = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(rawLine)
            var depth = 0
            while line.first == ">" {
                depth += 1
                line = line.dropFirst()
            }
            if line.first == " " { line = line.dropFirst() }  // space-stuffing
            if open, depth != openDepth {
                output.append("\n")
                open = false
            }
            if !open {
                if depth > 0 { output += String(repeating: ">", count: depth) + " " }
                open = true
                openDepth = depth
            }
            let flowed = line.last == " " && line != "-- "
            output += flowed && deleteSpace ? line.dropLast() : line
            if !flowed {
                output.append("\n")
                open = false
            }
        }
        if !open, output.last == "\n" { output.removeLast() }
        return output
    }
}
