import Foundation
import IntakeChannels
import Testing

/// `content_base64` is strict RFC 4648 base64: what is not base64 is an error, never bytes.
@Suite struct AttachmentContentTests {
    func decoded(_ text: String, maxBytes: Int = 1 << 20) -> Data? {
        try? AttachmentContent.decode(text, maxBytes: maxBytes).get()
    }

    func failure(_ text: String, maxBytes: Int = 1 << 20) -> String? {
        if case .failure(let failure) = AttachmentContent.decode(text, maxBytes: maxBytes) { return failure.description }
        return nil
    }

    @Test func standardBase64DecodesWithAndWithoutPadding() {
        for length in 0..<40 {
            let bytes = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
            #expect(decoded(bytes.base64EncodedString()) == bytes, "\(length) bytes")
        }
        #expect(decoded("5Lit5paH") == Data("中文".utf8))
    }

    @Test func lineBreaksAndSpacesMayWrapTheText() {
        let bytes = Data((0..<200).map { UInt8($0) })
        let wrapped = bytes.base64EncodedString(options: [.lineLength64Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        #expect(wrapped.contains("\r\n"))
        #expect(decoded(wrapped) == bytes)
        #expect(decoded(" QUJD\n") == Data("ABC".utf8))
    }

    /// The strings that Foundation's lenient decoding turned into "ABC" and into nothing.
    @Test func charactersOutsideTheAlphabetAreRefusedWithWhereTheyAre() {
        #expect(failure("QUJD!!!!") == #"is not valid base64: "!" at offset 4 is not in the base64 alphabet (A–Z, a–z, 0–9, +, /)"#)
        #expect(failure("%%%%")?.contains(#""%" at offset 0"#) == true)
        #expect(failure("--------")?.contains("base64url") == true)
        #expect(failure("QUJD__8=")?.contains("base64url") == true)
        #expect(failure("QUJD\u{0}")?.contains("byte 0x00 at offset 4") == true)
        #expect(failure("5Lit5paH中")?.contains("byte 0xE4 at offset 8") == true)
    }

    @Test func paddingAndLengthAreChecked() {
        #expect(failure("QUJ")?.contains("not a multiple of 4") == true)
        #expect(failure("QQ=")?.contains("not a multiple of 4") == true)
        #expect(failure("Q===")?.contains("no padding can be") == true)
        #expect(failure("QQ==QUJD")?.contains("after the \"=\" padding") == true)
        #expect(failure("QUJD====")?.contains("no padding can be") == true)
        #expect(failure("QUI==") != nil)
        #expect(decoded("QUI=") == Data("AB".utf8))
        #expect(decoded("QQ==") == Data("A".utf8))
    }

    @Test func contentOverTheLimitIsRefusedBeforeAndAfterDecoding() {
        let bytes = Data(repeating: 7, count: 100)
        #expect(decoded(bytes.base64EncodedString(), maxBytes: 100) == bytes)
        #expect(failure(bytes.base64EncodedString(), maxBytes: 99) == "attachment larger than 99 bytes")
        #expect(failure(String(repeating: "A", count: 4000), maxBytes: 100) == "attachment larger than 100 bytes")
    }
}
