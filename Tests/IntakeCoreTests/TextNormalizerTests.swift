import IntakeCore
import Testing

@Suite struct TextNormalizerTests {
    @Test func composesToNFC() {
        #expect(TextNormalizer.line("Cafe\u{301}") == "Caf\u{E9}")
    }

    /// Stored text keeps the requester's punctuation; letters and digits are the same letters.
    @Test func foldsFullWidthLettersDigitsAndTheIdeographicSpaceButKeepsPunctuation() {
        #expect(TextNormalizer.line("ＡＢＣ１２３　（有限公司）！") == "ABC123 （有限公司）！")
        #expect(TextNormalizer.block("您好，请问进度如何？谢谢！：；") == "您好，请问进度如何？谢谢！：；")
    }

    /// Matching folds every full-width form and reads traditional characters as simplified.
    @Test func matchingFoldsPunctuationAndTraditionalCharacters() {
        #expect(TextNormalizer.matchingLine("ＡＢＣ１２３　（有限公司）！") == "ABC123 (有限公司)!")
        #expect(TextNormalizer.matchingLine("我司廠房用地規劃許可，請問進度如何？") == "我司厂房用地规划许可,请问进度如何?")
    }

    @Test func foldsRunsOfWhitespaceInALine() {
        #expect(TextNormalizer.line("  厂房\t 用地\n规划  ") == "厂房 用地 规划")
    }

    @Test func blockKeepsParagraphsButFoldsTheRest() {
        let text = "第一行  内容 \r\n\r\n\r\n  第二段\t说明\n\n"
        #expect(TextNormalizer.block(text) == "第一行 内容\n\n第二段 说明")
    }

    @Test func nothingIsTruncated() {
        let long = String(repeating: "企业诉求", count: 10_000)
        #expect(TextNormalizer.block(long) == long)
    }
}

@Suite struct TextNormalizerEdgeTests {
    @Test func textThatNFCChangesIsComposedEvenAmongChinese() {
        #expect(TextNormalizer.line("企业 e\u{301}") == "企业 \u{E9}")
        #expect(TextNormalizer.line("\u{1100}\u{1161}") == "\u{AC00}")  // Hangul jamo compose
    }

    @Test func everyKindOfSpaceAndBreakIsFolded() {
        #expect(TextNormalizer.line("a\u{A0}b\u{2003}c\u{3000}d\u{200B}e\r\nf") == "a b c d e f")
        #expect(TextNormalizer.block("a\u{2028}b\r\n\r\nc") == "a\nb\n\nc")
        #expect(TextNormalizer.block(" \n\n  \n") == "")
        #expect(TextNormalizer.line("") == "")
    }

    @Test func fourByteCharactersSurvive() {
        #expect(TextNormalizer.line("𠀀 😀  𪚥") == "𠀀 😀 𪚥")
    }
}
