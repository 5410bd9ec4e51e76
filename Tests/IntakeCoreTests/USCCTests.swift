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

    @Test func lowercaseFullWidthAndSpacesAreFolded() {
        let uscc = USCC(" ９１１２０１１６ma07k3rd93 ")
        #expect(uscc.code == "91120116MA07K3RD93")
        #expect(uscc.isValid)
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
