import Crypto
import Foundation
import IntakeDaemon
import IntakeStore
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

package let devSecret = "test-secret-\(UUID().uuidString)"
package let bearerToken = "bearer-token-\(UUID().uuidString)"

/// A scratch directory with a config for one daemon: store, blobs and outbox inside it.
package struct TestEnvironment {
    package let directory: URL
    package let configPath: String
    package var outbox: URL { directory.appendingPathComponent("outbox") }
    package var storePath: String { directory.appendingPathComponent("intake.sqlite").path }

    /// - Parameter sinkYAML: the `sink:` mapping's members, indented four spaces; the file sink when nil.
    /// - Parameter dedup: cross-channel deduplication, off unless a test is about it: most
    ///   tests send one text many times and count `case.created` events.
    /// - Parameter splitDemands: the webhook's `split_demands` switch.
    /// - Parameter webhookYAML: more members of the `webhook:` mapping, indented two spaces.
    package init(
        port: Int = 0, sinkYAML: String? = nil, extraYAML: String = "", dedup: Bool = false, splitDemands: Bool = false,
        webhookYAML: String = "", directory folder: URL? = nil
    ) throws {
        directory = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("intake-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (devSecret + "\n").write(to: directory.appendingPathComponent("webhook.secret"), atomically: true, encoding: .utf8)
        try bearerToken.write(to: directory.appendingPathComponent("bearer.secret"), atomically: true, encoding: .utf8)
        configPath = directory.appendingPathComponent("intake.yaml").path
        let yaml = """
            zone:
              time_zone: Asia/Shanghai
              default_area_code: "022"
            store:
              path: \(directory.path)/intake.sqlite
              blob_dir: \(directory.path)/blobs
            log:
              level: info
            webhook:
              listen_host: 127.0.0.1
              listen_port: \(port)
              max_attachment_bytes: 4096
              split_demands: \(splitDemands)
            \(webhookYAML)
              sources:
                - name: portal
                  auth: hmac
                  secret_file: \(directory.path)/webhook.secret
                - name: partner
                  auth: bearer
                  secret_file: \(directory.path)/bearer.secret
            classification:
              taxonomy: \(repositoryRoot.appendingPathComponent("channels/taxonomy.yaml").path)
              examples: \(repositoryRoot.appendingPathComponent("channels/classification_examples.tsv").path)
              holidays: \(repositoryRoot.appendingPathComponent("channels/holidays.yaml").path)
            dedup:
              enabled: \(dedup)
            forwarding:
              poll_interval_millis: 100
              sink:
            \(sinkYAML ?? "    type: file\n    dir: \(directory.path)/outbox")
            \(extraYAML)
            """
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Event files in the outbox, by name.
    package func eventFiles() throws -> [String] {
        guard FileManager.default.fileExists(atPath: outbox.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".json") }.sorted()
    }

    /// Waits until `count` event files are there (or the timeout passes) and returns them.
    package func waitForEventFiles(count: Int, timeoutSecs: Double = 5) async throws -> [String] {
        let deadline = Date().addingTimeInterval(timeoutSecs)
        while Date() < deadline {
            let files = try eventFiles()
            if files.count >= count { return files }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try eventFiles()
    }
}

/// The daemon run in this process on a free port, stopped by cancelling its task.
package final class TestDaemon: Sendable {
    package let environment: TestEnvironment
    package let port: Int
    package let database: IntakeDatabase
    private let task: Task<Void, any Error>

    package static func start(_ environment: TestEnvironment? = nil) async throws -> TestDaemon {
        let environment = try environment ?? TestEnvironment()
        let loaded = try ConfigurationLoader.load(path: environment.configPath)
        let server = try IntakeServer(configuration: loaded, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run(onListening: { continuation.yield($0) }) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return TestDaemon(environment: environment, port: port, database: server.database, task: task)
    }

    private init(environment: TestEnvironment, port: Int, database: IntakeDatabase, task: Task<Void, any Error>) {
        self.environment = environment
        self.port = port
        self.database = database
        self.task = task
    }

    package func stop() async {
        task.cancel()
        _ = await task.result
    }

    package func post(_ body: String, headers: [String: String] = [:], path: String = "/v1/requests") async throws -> HTTPAnswer {
        try await HTTPAnswer.send(port: port, method: "POST", path: path, body: Data(body.utf8), headers: headers)
    }

    package func postSigned(_ body: String, key: String? = nil, timestamp: Int = Int(Date().timeIntervalSince1970)) async throws -> HTTPAnswer {
        var headers = ["X-Intake-Signature": signature(body, timestamp: timestamp)]
        if let key { headers["Idempotency-Key"] = key }
        return try await post(body, headers: headers)
    }

    package func get(_ path: String) async throws -> HTTPAnswer {
        try await HTTPAnswer.send(port: port, method: "GET", path: path, body: nil, headers: [:])
    }
}

/// `t=<unix>,v1=<hex HMAC-SHA256 over "<t>.<body>">`
package func signature(_ body: String, timestamp: Int = Int(Date().timeIntervalSince1970), secret: String = devSecret) -> String {
    signature(Data(body.utf8), timestamp: timestamp, secret: secret)
}

package func signature(_ body: Data, timestamp: Int = Int(Date().timeIntervalSince1970), secret: String = devSecret) -> String {
    var signed = Data("\(timestamp).".utf8)
    signed.append(body)
    let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
    return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
}

/// A response from real HTTP over loopback.
package struct HTTPAnswer: Sendable {
    package let status: Int
    package let headers: [String: String]
    package let body: Data

    package var text: String { String(decoding: body, as: UTF8.self) }

    package func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
    }

    package func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    package static func send(port: Int, method: String, path: String, body: Data?, headers: [String: String]) async throws -> HTTPAnswer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)"] = "\(value)" }
        return HTTPAnswer(status: http.statusCode, headers: fields, body: data)
    }
}

/// The request body of SPEC §3.1, with a ref of the caller's choice.
package func sampleRequest(ref: String? = "portal-20260226-0042", description: String = "我司厂房用地规划许可已提交两个月，请问目前进度如何？", extra: String = "") -> String {
    let refMember = ref.map { #""ref": "\#($0)","# } ?? ""
    return """
        {\(refMember)
         "reported_at": "2026-02-26T09:13:05+08:00",
         "requester": {"name": "张先生", "phone": "138 1234 5678", "email": "zhang@example.cn"},
         "enterprise": {"name": "天津某某科技有限公司", "uscc": "91120116MA07K3RD93"},
         "subject": "厂房用地规划许可进度咨询",
         "description": "\(description)",
         "category": "土地"\(extra)}
        """
}

/// A server a test starts and must stop, awaited.
package protocol Stoppable: Sendable {
    func stop() async
}

extension TestDaemon: Stoppable {}
extension TestReceiver: Stoppable {}

/// Runs `body`, then stops `server` — awaited, whether the body returned or threw — so that a
/// test's daemon is gone before the next test starts (a `defer { Task { … } }` is not awaited).
package func stopping<Server: Stoppable, Result>(_ server: Server, _ body: () async throws -> Result) async throws -> Result {
    do {
        let result = try await body()
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
