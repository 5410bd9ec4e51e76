import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real dovecot IMAP server for the tests, from a private configuration in a temp folder:
/// plain IMAP on a free 127.0.0.1 port (STARTTLS offered too when `tls`), an IMAPS listener
/// on a second port when `tls` (certificate from a CA made by `openssl`, `caFile`), one user
/// and one maildir. As root the mail processes run as `nobody` (dovecot refuses uid 0 for
/// mail); otherwise everything runs as the current user. `stop()` kills the whole process
/// group with SIGKILL (the test runner's children inherit a blocked signal mask, and SIGKILL
/// needs no cooperation); `remove()` or deinit also deletes the folder, and a watchdog does
/// both should the test process die first. Used by one test at a time (hence `@unchecked
/// Sendable`: handed to the blocking helpers of that test).
package final class Dovecot: @unchecked Sendable {
    package struct StoredMessage {
        package var data: Data
        /// IMAP flags read from the maildir file name: `\Seen`, `\Deleted`, …
        package var flags: Set<String>
    }

    package let directory: URL
    package let port: Int
    /// The IMAPS port, when started with `tls`.
    package let tlsPort: Int?
    package let username = "intake"
    package let password = "correct horse battery"

    package var url: String { "imap://127.0.0.1:\(port)" }
    package var imapsURL: String? { tlsPort.map { "imaps://127.0.0.1:\($0)" } }
    /// The CA that signed the server certificate, when started with `tls`.
    package var caFile: String { directory.appendingPathComponent("tls/ca.pem").path }
    package var logPath: String { directory.appendingPathComponent("dovecot.log").path }

    private var masterPID: pid_t?
    private let mailOwner: (uid: uid_t, gid: gid_t)
    private var configPath: String { directory.appendingPathComponent("dovecot.conf").path }
    private var mailRoot: URL { directory.appendingPathComponent("mail/\(username)") }
    private var deliveryCounter = 0

    /// Writes the configuration and starts the server. `capabilities` replaces the
    /// capability list dovecot announces (to make it look like a server without MOVE).
    package init(tls: Bool = false, capabilities: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-dovecot-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        port = DaemonProcess.freePort()
        tlsPort = tls ? DaemonProcess.freePort() : nil
        let runsAsRoot = geteuid() == 0
        mailOwner = runsAsRoot ? (65534, 65534) : (getuid(), getgid())
        Self.startWatchdog(directory: directory.path)
        for folder in ["run", "state", "mail"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: false)
        }
        try createMaildir(mailRoot, isInbox: true)
        try "\(username):{PLAIN}\(password)\n".write(to: directory.appendingPathComponent("passwd"), atomically: true, encoding: .utf8)
        if tls { try Self.makeCertificates(in: directory.appendingPathComponent("tls")) }
        let userName = runsAsRoot ? nil : (getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) })
        try configuration(tls: tls, capabilities: capabilities, processUser: userName)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        try start()
    }

    deinit { remove() }

    // MARK: - Running

    /// Starts the server (again) on the same ports and waits until it accepts connections.
    package func start() throws {
        guard masterPID == nil else { return }
        let pid = try Self.spawn(
            ["/usr/sbin/dovecot", "-F", "-c", configPath], outputPath: directory.appendingPathComponent("dovecot.out").path,
            ownProcessGroup: true)
        masterPID = pid
        try "\(pid)".write(to: directory.appendingPathComponent("master.pgid"), atomically: true, encoding: .utf8)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.accepts(port: port), tlsPort.map(Self.accepts(port:)) ?? true { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                masterPID = nil
                throw DovecotFailure("dovecot exited at start (status \(status)):\n\(log())")
            }
            usleep(10_000)
        }
        throw DovecotFailure("dovecot did not accept connections within 10 s:\n\(log())")
    }

    /// Kills the server and all its processes at once.
    package func stop() {
        guard let pid = masterPID else { return }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        masterPID = nil
        // The other processes of the group are not our children; wait until the ports are free.
        let deadline = Date().addingTimeInterval(5)
        while kill(-pid, 0) == 0, Date() < deadline { usleep(5_000) }
    }

    /// Stops the server and deletes its folder.
    package func remove() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    package func log() -> String {
        let text = [logPath, directory.appendingPathComponent("dovecot.out").path]
            .compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined(separator: "\n")
        return String(text.suffix(4000))
    }

    // MARK: - Mail

    /// Puts messages into `mailbox` the way a delivery agent does: written to `tmp/`, then
    /// renamed into `new/` (fast, and atomic for the server). UIDs follow the given order.
    package func deliver(_ messages: [Data], to mailbox: String = "INBOX") throws {
        let folder = try maildir(mailbox, create: true)
        let stamp = Int(Date().timeIntervalSince1970)
        for message in messages {
            deliveryCounter += 1
            // Dovecot gives UIDs to new files in file-name order: keep the counter sortable.
            let name = String(format: "%d.M%09dP%d.intake-test", stamp, deliveryCounter, getpid())
            let temporary = folder.appendingPathComponent("tmp/\(name)")
            try message.write(to: temporary)
            try chownToMailOwner(temporary.path)
            guard rename(temporary.path, folder.appendingPathComponent("new/\(name)").path) == 0 else {
                throw DovecotFailure("rename into new/: \(String(cString: strerror(errno)))")
            }
        }
    }

    package func deliver(_ message: Data, to mailbox: String = "INBOX") throws {
        try deliver([message], to: mailbox)
    }

    /// The messages in `mailbox` with their flags, read from the maildir (no IMAP involved).
    /// A mailbox that does not exist has none.
    package func messages(in mailbox: String) throws -> [StoredMessage] {
        guard let folder = try? maildir(mailbox, create: false) else { return [] }
        var messages: [StoredMessage] = []
        for subfolder in ["new", "cur"] {
            let path = folder.appendingPathComponent(subfolder)
            for name in try FileManager.default.contentsOfDirectory(atPath: path.path).sorted() {
                let data = try Data(contentsOf: path.appendingPathComponent(name))
                messages.append(StoredMessage(data: data, flags: Self.flags(fileName: name)))
            }
        }
        return messages
    }

    /// Gives `mailbox` a new UIDVALIDITY, as when a server's index is rebuilt: stops the
    /// server, deletes the mailbox's UID list and index (the messages stay), starts it again.
    /// The messages get new UIDs from 1.
    package func resetUIDValidity(of mailbox: String = "INBOX") throws {
        let folder = try maildir(mailbox, create: false)
        stop()
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path)
        where name == "dovecot-uidlist" || name.hasPrefix("dovecot.index") {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        // Dovecot takes a new UIDVALIDITY from the clock; make sure a second has passed.
        sleep(1)
        try start()
    }

    /// The maildir folder of `mailbox`: the root for INBOX, `.<modified UTF-7 name>` otherwise
    /// (Maildir++ layout, as dovecot stores it).
    package func maildirName(of mailbox: String) -> String {
        mailbox.uppercased() == "INBOX" ? "" : "." + Self.modifiedUTF7(mailbox)
    }

    private func maildir(_ mailbox: String, create: Bool) throws -> URL {
        let name = maildirName(of: mailbox)
        let folder = name.isEmpty ? mailRoot : mailRoot.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: folder.path) {
            guard create else { throw DovecotFailure("no maildir for mailbox \(mailbox)") }
            try createMaildir(folder, isInbox: false)
        }
        return folder
    }

    private func createMaildir(_ folder: URL, isInbox: Bool) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try chownToMailOwner(folder.deletingLastPathComponent().path)
        try chownToMailOwner(folder.path)
        for subfolder in ["tmp", "new", "cur"] {
            let path = folder.appendingPathComponent(subfolder)
            try FileManager.default.createDirectory(at: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            try chownToMailOwner(path.path)
        }
        if !isInbox {
            let marker = folder.appendingPathComponent("maildirfolder").path
            _ = FileManager.default.createFile(atPath: marker, contents: nil)
            try chownToMailOwner(marker)
        }
    }

    private func chownToMailOwner(_ path: String) throws {
        guard geteuid() == 0 else { return }
        guard chown(path, mailOwner.uid, mailOwner.gid) == 0 else {
            throw DovecotFailure("chown \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Maildir flag letters after `:2,` as IMAP flags.
    private static func flags(fileName: String) -> Set<String> {
        guard let range = fileName.range(of: ":2,") else { return [] }
        let names: [Character: String] = ["S": "\\Seen", "T": "\\Deleted", "F": "\\Flagged", "R": "\\Answered", "D": "\\Draft"]
        return Set(fileName[range.upperBound...].compactMap { names[$0] })
    }

    /// RFC 3501 modified UTF-7, written independently of the client's encoder.
    package static func modifiedUTF7(_ name: String) -> String {
        var result = ""
        var run: [UInt16] = []
        func flushRun() {
            guard !run.isEmpty else { return }
            var bytes = Data()
            for unit in run { bytes.append(contentsOf: [UInt8(unit >> 8), UInt8(unit & 0xff)]) }
            result += "&" + String(bytes.base64EncodedString().map { $0 == "/" ? "," : $0 }.filter { $0 != "=" }) + "-"
            run = []
        }
        for character in name {
            if character.isASCII, let value = character.asciiValue, value >= 0x20, value < 0x7f {
                flushRun()
                result += character == "&" ? "&-" : String(character)
            } else {
                run += Array(String(character).utf16)
            }
        }
        flushRun()
        return result
    }

    // MARK: - Configuration

    private func configuration(tls: Bool, capabilities: String?, processUser: String?) -> String {
        let root = directory.path
        var lines = [
            "base_dir = \(root)/run",
            "state_dir = \(root)/state",
            "instance_name = intake-test-\(directory.lastPathComponent)",
            "log_path = \(root)/dovecot.log",
            "protocols = imap",
            "listen = 127.0.0.1",
            "disable_plaintext_auth = no",
            "auth_mechanisms = plain login",
            "auth_failure_delay = 0",
            "login_trusted_networks = 127.0.0.0/8",
            "first_valid_uid = \(mailOwner.uid)",
            "first_valid_gid = \(mailOwner.gid)",
            "mail_location = maildir:\(root)/mail/%u",
            "mail_fsync = never",
            "passdb {", "  driver = passwd-file", "  args = scheme=PLAIN username_format=%u \(root)/passwd", "}",
            "userdb {", "  driver = static", "  args = uid=\(mailOwner.uid) gid=\(mailOwner.gid) home=\(root)/mail/%u", "}",
            "service imap-login {",
            "  chroot =",
            "  inet_listener imap {", "    address = 127.0.0.1", "    port = \(port)", "  }",
            "  inet_listener imaps {", "    address = 127.0.0.1", "    port = \(tlsPort ?? 0)", "    ssl = yes", "  }",
            "}",
            "service anvil {", "  chroot =", "}",
            "protocol imap {", "  mail_max_userip_connections = 100",
        ]
        if let capabilities { lines.append("  imap_capability = \(capabilities)") }
        lines.append("}")
        if tls {
            lines += ["ssl = yes", "ssl_cert = <\(root)/tls/server.pem", "ssl_key = <\(root)/tls/server.key"]
        } else {
            lines.append("ssl = no")
        }
        if let processUser {
            // Unprivileged: every dovecot process runs as this user.
            let group = getgrgid(getgid()).map { String(cString: $0.pointee.gr_name) } ?? processUser
            lines += [
                "default_login_user = \(processUser)", "default_internal_user = \(processUser)",
                "default_internal_group = \(group)",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CA (`ca.pem`) and a server certificate it signed for 127.0.0.1 and localhost
    /// (`server.pem`, `server.key`) in `folder`, made by openssl.
    static func makeCertificates(in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        let script = """
            set -e
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=intake test CA" 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext 2>/dev/null
            chmod 644 ca.pem server.pem
            """
        let output = folder.appendingPathComponent("openssl.out").path
        let pid = try Self.spawn(["/bin/sh", "-c", "cd '\(folder.path)' && \(script)"], outputPath: output, ownProcessGroup: false)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            throw DovecotFailure("openssl failed: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        }
    }

    // MARK: - Processes

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Starts a child with no blocked signals, default signal handlers, stdin from /dev/null,
    /// stdout and stderr to `outputPath` and no other descriptor of ours; in a process group
    /// of its own if asked (so that `stop()` reaches dovecot's children too).
    static func spawn(_ argv: [String], outputPath: String, ownProcessGroup: Bool) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // A glibc GNU extension (2.34) that Swift's Glibc module leaves out.
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: AddClosefrom.self)(&actions, 3)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        if ownProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        guard result == 0 else { throw DovecotFailure("cannot start \(argv[0]): \(String(cString: strerror(result)))") }
        return pid
    }

    /// Should the test process die without stopping the server, kill the server's process
    /// group once the process is gone, and delete the folder.
    private static func startWatchdog(directory: String) {
        _ = try? spawn(["/bin/sh", "-c", """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            [ -f '\(directory)/master.pgid' ] && kill -KILL -"$(cat '\(directory)/master.pgid')" 2>/dev/null
            rm -rf '\(directory)'
            """], outputPath: "/dev/null", ownProcessGroup: true)
    }
}

struct DovecotFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
