import Glibc
import IntakeCore
import Testing

/// Encodes `text` in `charset` with glibc's iconv, to make test input the way Excel or a mail client would.
func encoded(_ text: String, as charset: String) -> [UInt8] {
    let descriptor = iconv_open(charset, "UTF-8")!
    defer { iconv_close(descriptor) }
    var input = Array(text.utf8)
    var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
    let written = input.withUnsafeMutableBytes { inputBytes in
        output.withUnsafeMutableBytes { outputBytes in
            var inputStart: UnsafeMutablePointer<CChar>? = inputBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
            var inputLeft = inputBytes.count
            var outputStart: UnsafeMutablePointer<CChar>? = outputBytes.baseAddress!.assumingMemoryBound(to: CChar.self)
            var outputLeft = outputBytes.count
            let result = iconv(descriptor, &inputStart, &inputLeft, &outputStart, &outputLeft)
            precondition(result != -1, "\(charset) cannot encode \(text)")
            return outputBytes.count - outputLeft
        }
    }
    return Array(output.prefix(written))
}

@Suite struct CharsetConverterTests {
    @Test func knownGB18030BytesDecode() throws {
        #expect(try converted([0xB9, 0xA4, 0xB5, 0xA5], from: "GB18030").text == "工单")
    }

    @Test func gbkOnlyCharactersDecodeUnderTheGB2312Label() throws {
        // 镕 and 喆 are in GBK but not GB2312; mail labelled gb2312 carries them anyway.
        #expect(try converted([0xE9, 0x46, 0x86, 0xB4], from: "gb2312").text == "镕喆")
        #expect(try converted(encoded("朱镕基 张喆", as: "GBK"), from: "x-gbk").text == "朱镕基 张喆")
    }

    @Test func labelsAreNormalisedCaseInsensitively() {
        for label in ["gb2312", "GBK", "cp936", "x-gbk", " Gb2312 ", "gb18030"] {
            #expect(CharsetConverter.canonicalName(label) == "GB18030")
        }
        #expect(CharsetConverter.canonicalName("big5") == "BIG5-HKSCS")
        for label in ["big5_tw", "Big5-TW", "x-big5"] { #expect(CharsetConverter.canonicalName(label) == "BIG5-HKSCS") }
        for label in ["cp950", "MS950", "windows-950"] { #expect(CharsetConverter.canonicalName(label) == "CP950") }
        #expect(CharsetConverter.canonicalName("Big5-HKSCS") == "BIG5-HKSCS")
        #expect(CharsetConverter.canonicalName("utf-16le") == "UTF-16LE")
    }

    @Test func big5AndUTF16Decode() throws {
        #expect(try converted([0xA4, 0x75], from: "big5").text == "工")
        let text = "市民来电 😀"
        #expect(try converted(encoded(text, as: "UTF-16LE"), from: "utf-16le").text == text)
        #expect(try converted(encoded(text, as: "UTF-16BE"), from: "UTF-16BE").text == text)
    }

    @Test func anUnknownCharsetThrowsAnErrorNamingIt() {
        #expect {
            _ = try CharsetConverter(from: "klingon-8")
        } throws: { error in
            (error as? CharsetConverter.UnsupportedCharset)?.description.contains("klingon-8") == true
        }
    }

    @Test func sequencesCutBetweenChunksAreCompletedByTheNextChunk() throws {
        // GB18030 has 1-, 2- and 4-byte sequences (😀 takes four); UTF-16 surrogate pairs take four.
        let text = "工单a镕😀b𠀀投诉\n"
        for charset in ["GB18030", "UTF-16LE", "UTF-16BE"] {
            let input = encoded(text, as: charset)
            for pieceSize in 1...5 {
                let result = try converted(input, from: charset, pieceSize: pieceSize)
                #expect(result.text == text, "\(charset) in pieces of \(pieceSize)")
                #expect(result.replaced == 0)
            }
        }
    }

    @Test func invalidSequencesBecomeReplacementCharactersAndAreCounted() throws {
        // 0xFF is never valid in GB18030; each one is skipped and replaced.
        let input: [UInt8] = [0xB9, 0xA4, 0xFF, 0x41, 0xFF, 0xB5, 0xA5]
        for pieceSize in [1, 2, 100] {
            let result = try converted(input, from: "GB18030", pieceSize: pieceSize)
            #expect(result.text == "工\u{FFFD}A\u{FFFD}单")
            #expect(result.replaced == 2)
        }
    }

    @Test func anIncompleteSequenceAtTheEndBecomesAReplacementCharacter() throws {
        let result = try converted([0x41, 0xB9], from: "GB18030")
        #expect(result.text == "A\u{FFFD}")
        #expect(result.replaced == 1)
    }

    @Test func aConverterCanBeReusedAfterFinish() throws {
        let converter = try CharsetConverter(from: "GB18030")
        var first: [UInt8] = []
        [UInt8]([0x41, 0xB9]).withUnsafeBytes { converter.convert($0, into: &first) }
        converter.finish(into: &first)
        var second: [UInt8] = []
        [UInt8]([0xB9, 0xA4]).withUnsafeBytes { converter.convert($0, into: &second) }
        converter.finish(into: &second)
        #expect(String(decoding: second, as: UTF8.self) == "工")
    }

    /// Converts `input` fed in pieces of `pieceSize` bytes, as a stream reader would.
    private func converted(_ input: [UInt8], from charset: String, pieceSize: Int = .max) throws -> (text: String, replaced: Int) {
        let converter = try CharsetConverter(from: charset)
        var output: [UInt8] = []
        var start = 0
        while start < input.count {
            let end = min(start + pieceSize, input.count)
            input[start..<end].withUnsafeBytes { converter.convert($0, into: &output) }
            start = end
        }
        converter.finish(into: &output)
        return (String(decoding: output, as: UTF8.self), converter.replacedSequences)
    }
}
