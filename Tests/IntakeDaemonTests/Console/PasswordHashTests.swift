import Foundation
import Testing

@testable import IntakeDaemon

@Suite struct PasswordHashTests {
    @Test func theRightPasswordVerifiesAndAWrongOneDoesNot() throws {
        let hash = try PasswordHash.make("正确的马 battery staple")
        #expect(hash.verify("正确的马 battery staple"))
        #expect(!hash.verify("正确的马 battery stapl"))
        #expect(!hash.verify(""))
    }

    @Test func theStoredFormIsPHCScryptAndReadsBackToTheSameHash() throws {
        let hash = try PasswordHash.make("s3cret-password")
        let text = hash.description
        #expect(text.hasPrefix("$scrypt$ln=14,r=8,p=1$"))
        let read = try #require(PasswordHash(text))
        #expect(read == hash)
        #expect(read.verify("s3cret-password"))
    }

    @Test func eachHashHasItsOwnSalt() throws {
        let first = try PasswordHash.make("same password")
        let second = try PasswordHash.make("same password")
        #expect(first.salt != second.salt)
        #expect(first.key != second.key)
        #expect(first.verify("same password") && second.verify("same password"))
    }

    @Test func theCostTravelsWithTheHash() throws {
        let cheap = try PasswordHash.make("pw-with-low-cost", logRounds: 10)
        let read = try #require(PasswordHash(cheap.description))
        #expect(read.logRounds == 10)
        #expect(read.verify("pw-with-low-cost"))
    }

    @Test func anythingButAnScryptHashIsRefused() {
        for text in ["", "plaintext", "$2b$12$abcdefghijklmnopqrstuv", "$scrypt$ln=14,r=8$c2FsdA==$a2V5", "$scrypt$ln=99,r=8,p=1$c2FsdA==$a2V5a2V5a2V5a2V5a2V5",
                     "$scrypt$ln=14,r=8,p=1$$a2V5a2V5a2V5a2V5a2V5"] {
            #expect(PasswordHash(text) == nil, "\(text)")
        }
    }

    @Test func theDecoyMatchesNoPassword() {
        #expect(!PasswordHash.decoy.verify(""))
        #expect(!PasswordHash.decoy.verify("admin"))
    }
}
