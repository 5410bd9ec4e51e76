import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real SMTP server for the tests: Python's aiosmtpd (Debian's python3-aiosmtpd) on a free
/// 127.0.0.1 port, in a temp folder, requiring AUTH (PLAIN/LOGIN) with `username`/`password`
/// — over plain SMTP (loopback), after STARTTLS, or on implicit TLS, with a certificate from a
/// CA made by openssl (`caFile`). Every message it accepts is written to `mail/` with its
/// envelope; a recipient whose address starts with `reject` is refused with a 550. `stop()`
/// kills it with SIGKILL; `start()` brings it back on the same port. A missing aiosmtpd
/// fails the test: nothing is skipped.
package final class SMTPServer: @unchecked Sendable {
    package enum TLS: String, Sendable { case none, starttls, implicit }

    package struct ReceivedMail: Sendable {
        package var data: Data
        package var from: String
        package var to: [String]

        /// The message's text (headers and body as sent).
        package var text: String { String(decoding: data, as: UTF8.self) }

        /// The value of header `name` (first occurrence, unfolded), as on the wire.
        package func header(_ name: String) -> String? {
            let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
            let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: " ")
            for line in unfolded.components(separatedBy: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                if line[..<colon].lowercased() == name.lowercased() {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }

        /// The Subject decoded from its RFC 2047 words (`=?UTF-8?B?…?=` as we write them).
        package var subject: String? {
            guard let raw = header("Subject") else { return nil }
            return raw.split(separator: " ").map { word -> String in
                guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return String(word) }
                let base64 = word.dropFirst(10).dropLast(2)
                return Data(base64Encoded: String(base64)).map { String(decoding: $0, as: UTF8.self) } ?? String(word)
            }.joined()
        }

        /// The body decoded from base64.
        package var body: String {
            let parts = text.components(separatedBy: "\r\n\r\n")
            let encoded = parts.dropFirst().joined(separator: "\r\n\r\n").filter { !$0.isWhitespace }
            return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    package let directory: URL
    package let port: Int
    package let username = "intake-ack"
    package let password = "smtp secret 42"
    package let tls: TLS
    package var url: String { "\(tls == .implicit ? "smtps" : "smtp")://127.0.0.1:\(port)" }
    /// The CA that signed the server's certificate (with TLS).
    package var caFile: String { directory.appendingPathComponent("tls/ca.pem").path }
    private var pid: pid_t?
    private var mailDirectory: URL { directory.appendingPathComponent("mail") }

    /// Writes the server script and, unless `started` is false, starts it.
    package init(tls: TLS = .none, started: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-smtp-\(UUID().uuidString.prefix(8).lowercased())")
        port = DaemonProcess.freePort()
        self.tls = tls
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("mail"), withIntermediateDirectories: true)
        if tls != .none { try Dovecot.makeCertificates(in: directory.appendingPathComponent("tls")) }
        try Self.script.write(to: directory.appendingPathComponent("server.py"), atomically: true, encoding: .utf8)
        if started { try start() }
    }

    deinit { remove() }

    package func start() throws {
        guard pid == nil else { return }
        let child = try Dovecot.spawn(
            [
                "/usr/bin/python3", directory.appendingPathComponent("server.py").path, mailDirectory.path, "\(port)", username, password,
                tls.rawValue, directory.appendingPathComponent("tls").path,
            ],
            outputPath: directory.appendingPathComponent("server.log").path, ownProcessGroup: true)
        pid = child
        // Should the test process die without stopping the server (a SIGKILLed test run),
        // the server's process group goes with it, and the folder.
        _ = try? Dovecot.spawn(["/bin/sh", "-c", """
            while kill -0 \(getpid()) 2>/dev/null && kill -0 \(child) 2>/dev/null; do sleep 1; done
            kill -KILL -\(child) 2>/dev/null
            kill -0 \(getpid()) 2>/dev/null || rm -rf '\(directory.path)'
            """], outputPath: "/dev/null", ownProcessGroup: true)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Dovecot.accepts(port: port) { return }
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                pid = nil
                throw SMTPServerFailure("aiosmtpd exited (is python3-aiosmtpd installed? scripts/install-deps.sh):\n\(log())")
            }
            usleep(20_000)
        }
        throw SMTPServerFailure("aiosmtpd did not accept connections within 10 s:\n\(log())")
    }

    package func stop() {
        guard let pid else { return }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        self.pid = nil
    }

    package func remove() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    package func log() -> String {
        String(((try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? "").suffix(4000))
    }

    /// The messages accepted so far, in the order they arrived.
    package func messages() throws -> [ReceivedMail] {
        let names = try FileManager.default.contentsOfDirectory(atPath: mailDirectory.path).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let data = try Data(contentsOf: mailDirectory.appendingPathComponent(name))
            let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: mailDirectory.appendingPathComponent(name + ".json"))) as? [String: Any]
            return ReceivedMail(data: data, from: envelope?["from"] as? String ?? "", to: envelope?["to"] as? [String] ?? [])
        }
    }

    /// Waits until at least `count` messages arrived; returns them all.
    package func waitForMessages(_ count: Int, timeoutSecs: Double = 20) async throws -> [ReceivedMail] {
        let deadline = Date().addingTimeInterval(timeoutSecs)
        while Date() < deadline {
            let messages = try messages()
            if messages.count >= count { return messages }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try messages()
    }

    /// Each message as `<time_ns>-<random>.eml` beside its envelope (`.json`), renamed into
    /// place last, so that a reader never sees half a message.
    private static let script = #"""
    import json, os, ssl, sys, threading, time, uuid
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    directory, port, user, password, tls, certificates = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("reject"):
                return "550 5.1.1 mailbox unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            name = os.path.join(directory, "%020d-%s" % (time.time_ns(), uuid.uuid4().hex[:8]))
            with open(name + ".eml.json", "w") as f:
                json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
            with open(name + ".tmp", "wb") as f:
                f.write(envelope.original_content)
            os.rename(name + ".tmp", name + ".eml")
            return "250 OK"

    def authenticate(server, session, envelope, mechanism, data):
        if isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode():
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    # aiosmtpd 1.4 counts only STARTTLS as TLS for AUTH: on implicit TLS it would not offer it.
    options = dict(authenticator=authenticate, auth_required=True, auth_require_tls=tls == "starttls")
    if tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(os.path.join(certificates, "server.pem"), os.path.join(certificates, "server.key"))
        if tls == "starttls":
            options.update(tls_context=context, require_starttls=True)
        else:
            options.update(ssl_context=context)
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("listening", port, flush=True)
    threading.Event().wait()
    """#
}

struct SMTPServerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
