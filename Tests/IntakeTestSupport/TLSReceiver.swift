import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An HTTPS receiver that demands a client certificate (mutual TLS, as on the government
/// network): Python's `ssl` server on loopback, with a CA, server and client certificates made
/// by `openssl` for this test run.
package final class TLSReceiver {
    package let directory: URL
    package let port: Int
    private let process = Process()

    package var caFile: String { directory.appendingPathComponent("ca.pem").path }
    package var clientCertificate: String { directory.appendingPathComponent("client.pem").path }
    package var clientKey: String { directory.appendingPathComponent("client.key").path }
    package var url: String { "https://127.0.0.1:\(port)/events" }

    package init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=intake test CA" 2>/dev/null
            for name in server client; do
              openssl req -newkey rsa:2048 -nodes -keyout $name.key -out $name.csr -subj "/CN=$name" 2>/dev/null
              printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth\\n' > $name.ext
              openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $name.pem -days 2 -extfile $name.ext 2>/dev/null
            done
            """
        try Self.shell(script, in: directory)
        port = DaemonProcess.freePort()
        let server = """
            import http.server, ssl, sys
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    self.rfile.read(int(self.headers.get('Content-Length', 0)))
                    self.send_response(200); self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'ok')
                def log_message(self, *args): pass
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain('server.pem', 'server.key')
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations('ca.pem')
            server = http.server.HTTPServer(('127.0.0.1', \(port)), Handler)
            server.socket = context.wrap_socket(server.socket, server_side=True)
            server.serve_forever()
            """
        try server.write(to: directory.appendingPathComponent("server.py"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "server.py"]
        process.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Waits until the server accepts connections.
    package func waitUntilListening(timeoutSecs: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(timeoutSecs)
        while Date() < deadline {
            if Self.canConnect(port: port) { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
        throw DaemonFailure(message: "TLS receiver did not start:\n\(log)")
    }

    package static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    package func stop() {
        // SIGKILL: the test runner's blocked signal mask is inherited by children, so SIGTERM
        // would stay pending in the server forever.
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    package static func shell(_ script: String, in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = directory
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw DaemonFailure(message: "certificate setup failed") }
    }
}
