import Foundation
import Glibc

/// Tells systemd how the service is doing through `$NOTIFY_SOCKET`, as sd_notify(3) does, without libsystemd.
///
/// With `Type=notify` call ``ready()`` once serving; with `Type=notify-reload` also call
/// ``reloading()`` when a reload starts and ``ready()`` when it is done; call ``stopping()`` when
/// shutdown begins. With `WatchdogSec=`, call ``watchdog()`` every ``watchdogInterval``.
/// Copies share one socket, and sending from several tasks at once is safe.
public struct SystemdNotifier: Sendable {
    /// Why a notification did not reach systemd.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// `$NOTIFY_SOCKET` as found in the environment.
        public let socket: String
        /// What went wrong, e.g. `sendto: Connection refused`.
        public let reason: String
        public var description: String { "cannot notify systemd at \(socket): \(reason)" }
    }

    /// How often to call ``watchdog()``: half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises;
    /// nil when systemd expects no pings, or expects them from another process (`WATCHDOG_PID`).
    public let watchdogInterval: Duration?
    private let channel: Result<Channel, Failure>

    /// A notifier for `$NOTIFY_SOCKET`, or nil when it is unset or empty (not run by systemd as `Type=notify`).
    ///
    /// An address that is not an absolute path or `@abstract` name, or a socket that cannot be
    /// opened, does not make this nil: every send throws it instead, so it gets reported.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let socket = environment["NOTIFY_SOCKET"], !socket.isEmpty else { return nil }
        channel = Result { () throws(Failure) in try Channel(socket) }
        watchdogInterval = Self.watchdogInterval(environment)
    }

    /// Sends `assignments` (`READY=1`, `STATUS=…`) as one datagram, one per line.
    ///
    /// Each must be a single line, or its tail is read as another assignment; ``status(_:)`` sees to it for free text.
    public func send(_ assignments: [String]) throws(Failure) {
        try channel.get().send(Array(assignments.joined(separator: "\n").utf8))
    }

    /// `READY=1`: start-up, or a reload, is complete.
    public func ready() throws(Failure) {
        try send(["READY=1"])
    }

    /// `RELOADING=1` with the `MONOTONIC_USEC` that `Type=notify-reload` requires (systemd 253 and later);
    /// send ``ready()`` when the reload is done.
    public func reloading() throws(Failure) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        try send(["RELOADING=1", "MONOTONIC_USEC=\(Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1_000)"])
    }

    /// `STOPPING=1`: shutdown has begun.
    public func stopping() throws(Failure) {
        try send(["STOPPING=1"])
    }

    /// `STATUS=`: the one-line text `systemctl status` shows; newlines become spaces.
    public func status(_ text: String) throws(Failure) {
        try send(["STATUS=" + String(text.map { $0.isNewline ? " " : $0 })])
    }

    /// `WATCHDOG=1`: the service is alive.
    public func watchdog() throws(Failure) {
        try send(["WATCHDOG=1"])
    }

    /// Half of `WATCHDOG_USEC` when the watchdog is on and meant for this process.
    static func watchdogInterval(_ environment: [String: String]) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else {
            return nil
        }
        if let pid = environment["WATCHDOG_PID"], !pid.isEmpty, pid_t(pid) != getpid() { return nil }
        return .microseconds(microseconds / 2)
    }
}

extension SystemdNotifier {
    /// The datagram socket, opened once and closed with the last copy of the notifier.
    private final class Channel: Sendable {
        let name: String
        let descriptor: Int32
        let address: sockaddr_un
        let addressLength: socklen_t

        init(_ name: String) throws(Failure) {
            self.name = name
            let bytes = Array(name.utf8)
            let abstract = bytes.first == UInt8(ascii: "@")
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            // A path needs room for its terminating NUL; an abstract name has none.
            let capacity = MemoryLayout.size(ofValue: address.sun_path) - (abstract ? 0 : 1)
            guard abstract || bytes.first == UInt8(ascii: "/"), bytes.count <= capacity else {
                throw Failure(socket: name, reason: "not an absolute path or @name of at most \(capacity) bytes")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { path in
                path.copyBytes(from: bytes)
                if abstract { path[0] = 0 }
            }
            // The kernel compares abstract names over exactly this length, so a trailing NUL would name another socket.
            let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (abstract ? 0 : 1)
            self.address = address
            self.addressLength = socklen_t(length)
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw Failure(socket: name, reason: "socket: \(Self.lastError())") }
        }

        deinit { close(descriptor) }

        func send(_ message: [UInt8]) throws(Failure) {
            let sent = withUnsafePointer(to: address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    message.withUnsafeBytes { buffer in
                        var sent: Int
                        repeat {
                            sent = sendto(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength)
                        } while sent < 0 && errno == EINTR
                        return sent
                    }
                }
            }
            guard sent >= 0 else { throw Failure(socket: name, reason: "sendto: \(Self.lastError())") }
        }

        private static func lastError() -> String {
            String(cString: strerror(errno))
        }
    }
}
