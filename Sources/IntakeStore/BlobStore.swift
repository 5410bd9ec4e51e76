import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Attachment bytes, content-addressed on disk: `<root>/ab/cd/<sha256>`. The sender's file
/// name is never part of a path. A blob is fsync'd before the case that names it commits;
/// a blob without a case (a crash in between) is harmless and is taken again on retry.
public struct BlobStore: Sendable {
    public let root: URL

    public init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    /// A store that is only read (a backup being verified): nothing is created.
    public init(existingRoot root: URL) {
        self.root = root
    }

    /// The SHA-256 of a file's bytes, read 64 KiB at a time.
    public static func digest(of url: URL) throws -> String {
        let input = open(url.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else { throw DurableFile.Failure(operation: "open", path: url.path, code: errno) }
        defer { close(input) }
        var hasher = SHA256()
        try readChunks(input, path: url.path) { hasher.update(bufferPointer: $0) }
        return hasher.finalize().hexString
    }

    /// Stores `bytes` durably and returns their SHA-256 (lowercase hex).
    @discardableResult
    public func put(_ bytes: Data) throws -> String {
        let sha256 = SHA256.hash(data: bytes).hexString
        let final = url(for: sha256)
        if Self.refresh(final) { return sha256 }
        let directory = final.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = root.appendingPathComponent("tmp/\(sha256).\(UUID().uuidString)")
        try DurableFile.write(bytes, to: temporary, renamingTo: final)
        return sha256
    }

    /// Copies the file at `source` into the store, hashing it on the way (64 KiB at a time,
    /// whatever its size), and returns its SHA-256 and size. Durable when it returns.
    public func putFile(at source: URL) throws -> (sha256: String, size: Int) {
        // Not through a symbolic link, and never blocking on a FIFO: only a regular file is read.
        let input = open(source.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard input >= 0 else { throw DurableFile.Failure(operation: "open", path: source.path, code: errno) }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw DurableFile.Failure(operation: "open (not a regular file)", path: source.path, code: EINVAL)
        }
        let temporary = root.appendingPathComponent("tmp/\(UUID().uuidString)")
        let output = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard output >= 0 else { throw DurableFile.Failure(operation: "open", path: temporary.path, code: errno) }
        var hasher = SHA256()
        var size = 0
        do {
            try Self.readChunks(input, path: source.path) { bytes in
                hasher.update(bufferPointer: bytes)
                try DurableFile.writeAll(output, bytes, path: temporary.path)
                size += bytes.count
            }
            guard fsync(output) == 0 else { throw DurableFile.Failure(operation: "fsync", path: temporary.path, code: errno) }
            close(output)
        } catch {
            close(output)
            unlink(temporary.path)
            throw error
        }
        let sha256 = hasher.finalize().hexString
        let final = url(for: sha256)
        if Self.refresh(final) {
            unlink(temporary.path)
            return (sha256, size)
        }
        try FileManager.default.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard rename(temporary.path, final.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw DurableFile.Failure(operation: "rename", path: final.path, code: code)
        }
        try DurableFile.syncDirectory(final.deletingLastPathComponent())
        return (sha256, size)
    }

    /// Reads `descriptor` to its end, 64 KiB at a time.
    private static func readChunks(_ descriptor: Int32, path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw DurableFile.Failure(operation: "read", path: path, code: errno)
            }
            if count == 0 { return }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// True when the blob is already there; its modification time is set to now, so that the
    /// retention sweeper, which removes only blobs no row names and older than its grace
    /// period, does not remove a blob a commit in flight is about to name again.
    private static func refresh(_ url: URL) -> Bool {
        utimes(url.path, nil) == 0
    }

    /// Every blob file (and leftover temporary file) with its size and modification time.
    public func files() -> [(url: URL, sha256: String?, size: Int, modified: Date)] {
        // readdir(3) and fstatat(2) directly: the retention sweeper walks every blob each
        // sweep, and Foundation's enumerator with resource values spent ~0.5 ms a file
        // building URLs and attribute dictionaries (most of a steady sweep's time).
        var found: [(URL, String?, Int, Date)] = []
        func walk(_ directory: String, depth: Int) {
            guard let handle = opendir(directory) else { return }
            defer { closedir(handle) }
            let descriptor = dirfd(handle)
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                var info = stat()
                guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                let path = directory + "/" + name
                switch info.st_mode & S_IFMT {
                case S_IFDIR: walk(path, depth: depth + 1)
                case S_IFREG:
                    // A blob is a 64-hex-digit name two directories down, in the directories
                    // its first four digits name; anything else is a leftover (tmp/).
                    let isBlob = depth == 2 && name.utf8.count == 64 && name.utf8.allSatisfy { hexDigits.contains($0) }
                        && directory.hasSuffix("/" + name.prefix(2) + "/" + name.dropFirst(2).prefix(2))
                    let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
                    found.append((URL(fileURLWithPath: path), isBlob ? name : nil, Int(info.st_size), modified))
                default: continue
                }
            }
        }
        walk(root.path, depth: 0)
        return found
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
