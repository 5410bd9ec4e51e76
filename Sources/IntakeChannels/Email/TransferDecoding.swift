/// Content-Transfer-Encoding decoders: lenient, never failing, reporting what they skipped.
///
/// With `keeping: false` they only count the decoded bytes, so that an attachment over the
/// size limit is measured without being held.
enum TransferDecoding {
    struct Decoded {
        var bytes: [UInt8]
        var count: Int
        var problem: String?
    }

    static func decode(_ input: ArraySlice<UInt8>, encoding: String, keeping: Bool) -> Decoded {
        switch encoding {
        case "base64":
            return base64(input, keeping: keeping)
        case "quoted-printable":
            return quotedPrintable(input, keeping: keeping)
        case "", "7bit", "8bit", "binary":
            return Decoded(bytes: keeping ? Array(input) : [], count: input.count)
        default:
            // x-uuencode and inventions: better the raw bytes than nothing.
            return Decoded(bytes: keeping ? Array(input) : [], count: input.count,
                           problem: "unknown Content-Transfer-Encoding '\(MIMECharset.printable(encoding))', kept as is")
        }
    }

    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        // The URL-safe alphabet turns up too.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    static func base64(_ input: ArraySlice<UInt8>, keeping: Bool) -> Decoded {
        // Written through a pointer into room for the most the input can decode to, then cut.
        var output = [UInt8](repeating: 0, count: keeping ? input.count / 4 * 3 + 3 : 0)
        var count = 0
        var accumulator: UInt32 = 0
        var bits = 0
        var invalid = 0
        var paddingSeen = false
        var dataAfterPadding = false
        // The table is a lazily initialised global: fetch it once, not once a byte.
        let table = base64Values
        output.withUnsafeMutableBufferPointer { written in
            table.withUnsafeBufferPointer { values in
                input.withUnsafeBufferPointer { bytes in
                    for byte in bytes {
                        let value = values[Int(byte)]
                        if value == 0xFF {
                            switch byte {
                            case 0x0D, 0x0A, 0x20, 0x09: break
                            case UInt8(ascii: "="): paddingSeen = true
                            default: invalid += 1
                            }
                            continue
                        }
                        if paddingSeen {
                            // Concatenated base64 blocks: the next one starts fresh.
                            dataAfterPadding = true
                            paddingSeen = false
                            accumulator = 0
                            bits = 0
                        }
                        accumulator = (accumulator << 6) | UInt32(value)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            if keeping { written[count] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)) }
                            count += 1
                            accumulator &= (1 << UInt32(bits)) - 1
                        }
                    }
                }
            }
        }
        if keeping { output.removeLast(output.count - count) }
        var problems: [String] = []
        if invalid > 0 { problems.append("base64 with \(counted(invalid, "invalid character")) skipped") }
        if bits == 6 { problems.append("base64 truncated (a lone final character)") }
        if dataAfterPadding { problems.append("base64 with data after padding") }
        return Decoded(bytes: output, count: count, problem: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }

    static func counted(_ count: Int, _ noun: String) -> String {
        count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    static func quotedPrintable(_ input: ArraySlice<UInt8>, keeping: Bool) -> Decoded {
        var output: [UInt8] = []
        if keeping { output.reserveCapacity(input.count) }
        var count = 0
        var invalid = 0
        var index = input.startIndex
        let end = input.endIndex
        @inline(__always) func emit(_ byte: UInt8) {
            if keeping { output.append(byte) }
            count += 1
        }
        while index < end {
            let byte = input[index]
            if byte == UInt8(ascii: "=") {
                // Soft line break: "=" then optional trailing whitespace then a line end.
                var probe = index + 1
                while probe < end, input[probe] == 0x20 || input[probe] == 0x09 { probe += 1 }
                if probe == end {
                    index = end
                    continue
                }
                if input[probe] == 0x0A {
                    index = probe + 1
                    continue
                }
                if input[probe] == 0x0D {
                    index = probe + 1 < end && input[probe + 1] == 0x0A ? probe + 2 : probe + 1
                    continue
                }
                if index + 2 < end, let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) {
                    emit(high << 4 | low)
                    index += 3
                    continue
                }
                // Not an escape: keep the "=" as written.
                invalid += 1
                emit(byte)
                index += 1
                continue
            }
            if byte == 0x20 || byte == 0x09 {
                // Trailing whitespace on a line is transport padding (RFC 2045 §6.7 rule 3).
                var probe = index
                while probe < end, input[probe] == 0x20 || input[probe] == 0x09 { probe += 1 }
                if probe == end || input[probe] == 0x0A || input[probe] == 0x0D {
                    index = probe
                    continue
                }
                while index < probe {
                    emit(input[index])
                    index += 1
                }
                continue
            }
            if byte == 0x0D, index + 1 < end, input[index + 1] == 0x0A {
                emit(0x0D)
                emit(0x0A)
                index += 2
                continue
            }
            emit(byte)
            index += 1
        }
        let problem = invalid > 0 ? "quoted-printable with \(counted(invalid, "invalid escape")) kept as written" : nil
        return Decoded(bytes: output, count: count, problem: problem)
    }
}
