import IntakeCore
import Testing

@Suite struct USCCTests {
    @Test(arguments: ["91120116MA07K3RD93", "914403001922038216", "91110000600037341L"])
    func validCodesPassTheCheckDigit(code: String) {
        #expect(USCC(code).isValid)
    }

    @Test func oneChangedCharacterIsInvalid() {
        let valid = Array("91120116MA07K3RD93")
        for position in valid.indices {
            var changed = valid
            changed[position] = changed[position] == "1" ? "2" : "1"
            #expect(!USCC(String(changed)).isValid, "position \(position)")
        }
    }

    @Test func invalidCodeIsKeptAsGiven() {
        let uscc = USCC("91120116MA07K3RD94")
        #expect(uscc.code == "91120116MA07K3RD94")
        #expect(!uscc.isValid)
    }

    @Test func aValidCodeIsStoredCanonically() {
        for given in [" ９１１２０１１６ma07k3rd93 ", "9112 0116 MA07 K3RD 93", "91120116-MA07K3RD93"] {
            let uscc = USCC(given)
            #expect(uscc.code == "91120116MA07K3RD93", "\(given)")
            #expect(uscc.isValid)
        }
    }

    /// 311 of 2 335 invalid codes were altered (upper-cased, separators dropped, two merged).
    @Test(arguments: [
        "91120116ma07k3rd94", "9112 0116 MA07 K3RD 94", "91120116-MA07K3RD9", "91120116MA07K3RD93 91110000600037341L",
        "91120116MA07K3RD93，91110000600037341L", "９１１２０１１６ＭＡ０７Ｋ３ＲＤ９４", "无",
    ])
    func anInvalidCodeIsKeptExactlyAsWrittenTrimmed(given: String) {
        let uscc = USCC("  \(given)\n")
        #expect(!uscc.isValid)
        #expect(uscc.code == given)
    }

    @Test func lettersOutsideTheAlphabetAndWrongLengthsAreInvalid() {
        #expect(!USCC("91120116MA07K3RDI3").isValid)  // I is not in the alphabet
        #expect(!USCC("91120116MA07K3RD9").isValid)
        #expect(!USCC("").isValid)
    }

    @Test func checkCharacterIsComputedPerGB32100() {
        #expect(USCC.checkCharacter(for: Array("91120116MA07K3RD9")) == "3")
        #expect(USCC.checkCharacter(for: Array("91440300192203821")) == "6")
    }
}
