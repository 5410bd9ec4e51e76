import Foundation
import Glibc
import IntakeTestSupport
import Testing
@testable import IntakeDaemon

/// A bound datagram socket standing in for systemd's notification socket.
final class NotificationSocket {
    /// The `NOTIFY_SOCKET` value: a path, or `@name` in the abstract namespace.
    let name: String
    private let descriptor: Int32

    init(abstract: Bool) throws {
        let unique = UUID().uuidString.prefix(8).lowercased()
        name = abstract
            ? "@intake-notify-\(unique)"
            : FileManager.default.temporaryDirectory.appendingPathComponent("intake-notify-\(unique).sock").path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if abstract { bytes[0] = 0 } else { bytes.append(0) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        try #require(descriptor >= 0 && bound == 0, "bind \(name): \(String(cString: strerror(errno)))")
        var timeout = timeval(tv_sec: 5, tv_usec: 0)  // a lost datagram fails the test instead of hanging it
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(descriptor)
        if !name.hasPrefix("@") { unlink(name) }
    }

    /// The next datagram, or nil after the timeout.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
    }
}

@Suite struct SystemdNotifierTests {
    private static func monotonicMicroseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1_000
    }

    @Test(arguments: [false, true])
    func notificationsArriveExactly(abstract: Bool) throws {
        let systemd = try NotificationSocket(abstract: abstract)
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.name]))

        try notifier.ready()
        #expect(systemd.receive() == "READY=1")
        try notifier.status("draining outbox\n12 left\r\n")
        #expect(systemd.receive() == "STATUS=draining outbox 12 left ")
        try notifier.watchdog()
        #expect(systemd.receive() == "WATCHDOG=1")
        try notifier.stopping()
        #expect(systemd.receive() == "STOPPING=1")
        try notifier.send(["READY=1", "STATUS=serving"])
        #expect(systemd.receive() == "READY=1\nSTATUS=serving")

        let before = Self.monotonicMicroseconds()
        try notifier.reloading()
        let after = Self.monotonicMicroseconds()
        let lines = try #require(systemd.receive()).split(separator: "\n")
        #expect(lines.count == 2 && lines[0] == "RELOADING=1")
        let stamp = try #require(lines.last.flatMap { Int($0.trimmingPrefix("MONOTONIC_USEC=")) })
        #expect((before...after).contains(stamp))
    }

    @Test func notifierIsNilWithoutNotifySocket() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsecForThisProcess() {
        let base = ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "2000000"]
        #expect(SystemdNotifier(environment: base)?.watchdogInterval == .seconds(1))
        let mine = base.merging(["WATCHDOG_PID": "\(getpid())"]) { $1 }
        #expect(SystemdNotifier(environment: mine)?.watchdogInterval == .seconds(1))
        let other = base.merging(["WATCHDOG_PID": "\(getpid() + 1)"]) { $1 }
        #expect(SystemdNotifier(environment: other)?.watchdogInterval == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify"])?.watchdogInterval == nil)
        #expect(SystemdNotifier(environment: base.merging(["WATCHDOG_USEC": "0"]) { $1 })?.watchdogInterval == nil)
    }

    @Test func unreachableSocketThrowsInsteadOfCrashing() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("intake-notify-missing.sock").path
        for name in [missing, "relative/notify", "@" + String(repeating: "x", count: 200)] {
            let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": name]))
            #expect(throws: SystemdNotifier.Failure.self) { try notifier.ready() }
        }
    }
}
