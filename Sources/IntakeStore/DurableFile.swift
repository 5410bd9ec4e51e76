import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes that survive a crash: temp file, fsync, rename, fsync of the directory.
public enum DurableFile {
    public struct Failure: Error, CustomStringConvertible {
        public let operation: String
        public let path: String
        public let code: Int32
        public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
        public init(operation: String, path: String, code: Int32) {
            self.operation = operation
            self.path = path
            self.code = code
        }

        /// Out of space or quota: worth retrying later, not a bug.
        public var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }
    }

    public static func write(_ bytes: Data, to temporary: URL, renamingTo final: URL) throws {
        try writeFile(bytes, to: temporary, fsync: true)
        guard rename(temporary.path, final.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw Failure(operation: "rename", path: final.path, code: code)
        }
        try syncDirectory(final.deletingLastPathComponent())
    }

    /// Creates or truncates `url` and writes `bytes`, fsync'd when asked; removed again on failure.
    public static func writeFile(_ bytes: Data, to url: URL, fsync shouldSync: Bool) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { throw Failure(operation: "open", path: url.path, code: errno) }
        do {
            try bytes.withUnsafeBytes { try writeAll(fd, $0, path: url.path) }
            if shouldSync, fsync(fd) != 0 { throw Failure(operation: "fsync", path: url.path, code: errno) }
            close(fd)
        } catch {
            close(fd)
            unlink(url.path)
            throw error
        }
    }

    /// Writes all of `buffer` to `fd`, however many calls that takes.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "write", path: path, code: errno)
            }
            offset += written
        }
    }

    /// Makes a rename or create in `directory` durable.
    public static func syncDirectory(_ directory: URL) throws {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(operation: "open", path: directory.path, code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(operation: "fsync", path: directory.path, code: errno) }
    }
}
