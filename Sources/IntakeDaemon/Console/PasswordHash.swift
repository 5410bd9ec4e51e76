import Crypto
import Foundation
import IntakeChannels
import _CryptoExtras

/// A password stored as an scrypt hash in PHC form: `$scrypt$ln=14,r=8,p=1$SALT$KEY`
/// (base64, a 16-byte random salt and a 32-byte key). The cost travels with the hash, so a
/// later, dearer cost leaves older hashes readable.
public struct PasswordHash: Sendable, Hashable, CustomStringConvertible {
    /// log2 of scrypt's N: 2^14 × 128 × r bytes = 16 MiB of memory a check.
    public static let defaultLogRounds = 14
    public let logRounds: Int
    public let blockSize: Int
    public let parallelism: Int
    public let salt: [UInt8]
    public let key: [UInt8]

    /// Hashes `password` with a new random salt.
    public static func make(_ password: String, logRounds: Int = defaultLogRounds) throws -> PasswordHash {
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        let key = try derive(password, salt: salt, logRounds: logRounds, blockSize: 8, parallelism: 1)
        return PasswordHash(logRounds: logRounds, blockSize: 8, parallelism: 1, salt: salt, key: key)
    }

    /// Reads the PHC form; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt",
            let salt = Data(base64Encoded: String(parts[3])), let key = Data(base64Encoded: String(parts[4])), !salt.isEmpty, key.count >= 16
        else { return nil }
        var parameters: [String: Int] = [:]
        for pair in parts[2].split(separator: ",") {
            let members = pair.split(separator: "=", maxSplits: 1)
            guard members.count == 2, let value = Int(members[1]) else { return nil }
            parameters[String(members[0])] = value
        }
        guard let logRounds = parameters["ln"], (1...20).contains(logRounds), let blockSize = parameters["r"], (1...32).contains(blockSize),
            let parallelism = parameters["p"], (1...16).contains(parallelism)
        else { return nil }
        self.init(logRounds: logRounds, blockSize: blockSize, parallelism: parallelism, salt: Array(salt), key: Array(key))
    }

    init(logRounds: Int, blockSize: Int, parallelism: Int, salt: [UInt8], key: [UInt8]) {
        self.logRounds = logRounds
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = salt
        self.key = key
    }

    public var description: String {
        "$scrypt$ln=\(logRounds),r=\(blockSize),p=\(parallelism)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `password` is the one hashed, compared over every byte.
    public func verify(_ password: String) -> Bool {
        guard let derived = try? Self.derive(password, salt: salt, logRounds: logRounds, blockSize: blockSize, parallelism: parallelism, count: key.count)
        else { return false }
        return constantTimeEqual(derived, key)
    }

    /// A hash no password matches, checked for an unknown user so that the answer takes as
    /// long as for a known one.
    static let decoy = PasswordHash(
        logRounds: defaultLogRounds, blockSize: 8, parallelism: 1, salt: Array(repeating: 0, count: 16), key: Array(repeating: 0, count: 32))

    private static func derive(_ password: String, salt: [UInt8], logRounds: Int, blockSize: Int, parallelism: Int, count: Int = 32) throws -> [UInt8] {
        let rounds = 1 << logRounds
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: count, rounds: rounds, blockSize: blockSize, parallelism: parallelism,
            maxMemory: 128 * blockSize * rounds * (parallelism + 1) + (1 << 20))
        return key.withUnsafeBytes { Array($0) }
    }
}
