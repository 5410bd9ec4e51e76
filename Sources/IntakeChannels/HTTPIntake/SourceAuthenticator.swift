import Crypto
import Foundation

/// Decides which configured source sent a request: an HMAC-SHA256 signature over
/// `<t>.<body>` (`X-Intake-Signature: t=<unix>,v1=<hex>`) within a tolerance window, or a
/// bearer token. Every comparison of secret material is constant-time.
public struct SourceAuthenticator: Sendable {
    public struct Source: Sendable {
        public enum Method: String, Sendable, Codable { case hmac, bearer }
        public var name: String
        public var method: Method
        /// The secret (the credential file's content less one trailing newline).
        public var secret: Data

        public init(name: String, method: Method, secret: Data) {
            self.name = name
            self.method = method
            self.secret = secret
        }

        var key: SymmetricKey { SymmetricKey(data: secret) }
    }

    public var sources: [Source]
    public var toleranceSecs: Int

    public init(sources: [Source], toleranceSecs: Int = 300) {
        self.sources = sources
        self.toleranceSecs = toleranceSecs
    }

    /// The source that signed `body`, or why none did.
    /// - Parameter sourceName: the `X-Intake-Source` header, when the client names its source.
    public func authenticate(
        signature: String?, authorization: String?, sourceName: String?, body: [UInt8], now: Date = Date()
    ) -> Result<Source, IntakeRejection> {
        var candidates = sources
        if let sourceName {
            candidates = sources.filter { $0.name == sourceName }
            if candidates.isEmpty { return .failure(.unauthorized("unknown source \"\(sourceName)\"")) }
        }
        if let signature {
            return verifySignature(signature, body: body, now: now, candidates: candidates.filter { $0.method == .hmac })
        }
        if let authorization {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return .failure(.unauthorized("Authorization must be \"Bearer <token>\""))
            }
            let presented = SHA256.hash(data: Data(parts[1].utf8))
            for source in candidates where source.method == .bearer {
                // Compare digests of equal length so that neither length nor content leaks.
                let expected = SHA256.hash(data: source.secret)
                if constantTimeEqual(Array(presented), Array(expected)) { return .success(source) }
            }
            return .failure(.unauthorized("bearer token not accepted"))
        }
        return .failure(.unauthorized("missing X-Intake-Signature or Authorization header"))
    }

    private func verifySignature(_ header: String, body: [UInt8], now: Date, candidates: [Source]) -> Result<Source, IntakeRejection> {
        var timestamp: Int?
        var signatures: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "t": timestamp = Int(pair[1])
            case "v1": if let bytes = hexBytes(pair[1]), bytes.count == 32 { signatures.append(bytes) }
            default: continue  // unknown schemes are ignored, so new ones can be added beside v1
            }
        }
        guard let timestamp else { return .failure(.unauthorized("X-Intake-Signature has no t=<unix time>")) }
        guard !signatures.isEmpty else { return .failure(.unauthorized("X-Intake-Signature has no v1=<64 hex digits>")) }
        let age = Int(now.timeIntervalSince1970) - timestamp
        guard abs(age) <= toleranceSecs else {
            return .failure(.unauthorized(
                "signature timestamp is \(abs(age)) s \(age > 0 ? "old" : "in the future"); the tolerance is \(toleranceSecs) s"))
        }
        var signed = Array("\(timestamp).".utf8)
        signed.append(contentsOf: body)
        for source in candidates {
            for signature in signatures where HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: source.key) {
                return .success(source)
            }
        }
        return .failure(.unauthorized("signature does not match"))
    }
}

/// Whether two byte strings are equal, comparing every byte whatever the first difference.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}

func hexBytes(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        case 65...70: digit - 55
        default: nil
        }
    }
    var index = 0
    while index < digits.count {
        guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
        bytes.append(high << 4 | low)
        index += 2
    }
    return bytes
}
