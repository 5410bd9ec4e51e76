import Crypto
import Foundation

/// Attachment bytes, content-addressed on disk: `<root>/ab/cd/<sha256>`. The sender's file
/// name is never part of a path. A blob is fsync'd before the case that names it commits;
/// a blob without a case (a crash in between) is harmless and is taken again on retry.
public struct BlobStore: Sendable {
    public let root: URL

    public init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    /// Stores `bytes` durably and returns their SHA-256 (lowercase hex).
    @discardableResult
    public func put(_ bytes: Data) throws -> String {
        let sha256 = SHA256.hash(data: bytes).hexString
        let final = url(for: sha256)
        if FileManager.default.fileExists(atPath: final.path) { return sha256 }
        let directory = final.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = root.appendingPathComponent("tmp/\(sha256).\(UUID().uuidString)")
        try DurableFile.write(bytes, to: temporary, renamingTo: final)
        return sha256
    }

    public func url(for sha256: String) -> URL {
        let characters = Array(sha256)
        return root.appendingPathComponent(String(characters[0..<2])).appendingPathComponent(String(characters[2..<4]))
            .appendingPathComponent(sha256)
    }
}

extension Digest {
    public var hexString: String {
        var out = [UInt8]()
        out.reserveCapacity(Self.byteCount * 2)
        for byte in self {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)
