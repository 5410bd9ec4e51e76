import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// inotify on one directory, read without blocking: tells the spool that something changed
/// (so it looks now instead of at the next rescan) and which names were renamed into it
/// (an atomic rename is one of the ways a file says it is complete).
///
/// It is a hint, never the only source of truth: events can be lost when the queue
/// overflows, and files dropped while the daemon was down raise none; the periodic rescan
/// covers both.
final class DirectoryWatch {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    struct Changes {
        var any = false
        /// Names that arrived by rename (`IN_MOVED_TO`).
        var movedIn: [String] = []
    }

    /// Nil when inotify is not available (then the rescan does all the work).
    init?(directory: URL) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ATTRIB | IN_MODIFY)
        guard inotify_add_watch(fd, directory.path, mask) >= 0 else {
            close(fd)
            return nil
        }
    }

    deinit {
        close(fd)
    }

    /// Reads every queued event.
    func drain() -> Changes {
        var changes = Changes()
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return changes }
            changes.any = true
            buffer.withUnsafeBytes { bytes in
                var offset = 0
                let headerSize = MemoryLayout<inotify_event>.size
                while offset + headerSize <= count {
                    let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    if mask & UInt32(IN_MOVED_TO) != 0, length > 0 {
                        let name = bytes[(offset + headerSize)..<(offset + headerSize + length)].prefix { $0 != 0 }
                        changes.movedIn.append(String(decoding: name, as: UTF8.self))
                    }
                    offset += headerSize + length
                }
            }
        }
    }
}
