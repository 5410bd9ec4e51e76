import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real `intake` executable, run as a child process on a fixed loopback port.
package final class DaemonProcess {
    package let process = Process()
    package let port: Int
    package let logURL: URL

    /// The `intake` binary built beside the test bundle (override with `INTAKE_BINARY`).
    package static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["INTAKE_BINARY"] { return URL(fileURLWithPath: path) }
        var directory = Bundle.main.bundleURL
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("intake").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("intake")
    }

    /// - Parameter variables: added to the test runner's environment (`NOTIFY_SOCKET` …).
    package init(environment: TestEnvironment, port: Int, variables: [String: String] = [:]) throws {
        self.port = port
        logURL = environment.directory.appendingPathComponent("daemon-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = DaemonProcess.binary
        process.arguments = ["run", "--config", environment.configPath]
        if !variables.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(variables) { $1 } }
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// Waits for `/healthz` to answer.
    package func waitUntilHealthy(timeoutSecs: Double = 20) async throws {
        let deadline = Date().addingTimeInterval(timeoutSecs)
        while Date() < deadline {
            if let answer = try? await HTTPAnswer.send(port: port, method: "GET", path: "/healthz", body: nil, headers: [:]), answer.status == 200 {
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DaemonFailure(message: "daemon did not become healthy:\n" + log())
    }

    package func post(_ body: String, key: String) async throws -> HTTPAnswer {
        try await HTTPAnswer.send(
            port: port, method: "POST", path: "/v1/requests", body: Data(body.utf8),
            headers: ["X-Intake-Signature": signature(body), "Idempotency-Key": key])
    }

    package func kill(_ signal: Int32) {
        Glibc.kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status.
    package func waitForExit(timeoutSecs: Double = 20) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeoutSecs)
        while process.isRunning {
            guard Date() < deadline else { throw DaemonFailure(message: "daemon did not exit:\n" + log()) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    package func log() -> String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    /// A loopback port that was free a moment ago.
    package static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

package struct DaemonFailure: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}
