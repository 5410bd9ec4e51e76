import Foundation
import IntakeForwarding
import Logging
import PostgresNIO
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server for the tests: a fresh cluster (`initdb`) in a temp folder,
/// listening on 127.0.0.1 on a free port, its unix socket inside the folder, trust
/// authentication. `initdb` and `pg_ctl` refuse to run as root, so as root they run as the
/// `postgres` user (`runuser`), which owns the folder. `stop()` and `start()` take the server
/// down and up again; `remove()` stops it and deletes the folder, and so does the end of the
/// test process (an `atexit` handler, and a watchdog should the process die).
package final class PostgresServer: Sendable {
    /// One server for the whole test process (starting one takes a second or two); each test
    /// uses its own table.
    package static func shared() async throws -> PostgresServer {
        try await sharedServer.value
    }

    private static let sharedServer = Task { try await PostgresServer.make() }

    /// Makes a cluster of its own and starts it (`remove()` it after).
    package static func make() async throws -> PostgresServer {
        try await offThePool { try PostgresServer() }
    }

    package let directory: URL
    package let port: Int
    package let user = "postgres"
    package let database = "postgres"
    private let bin: URL
    private var dataDirectory: String { directory.appendingPathComponent("data").path }
    private var logPath: String { directory.appendingPathComponent("server.log").path }

    /// Makes a cluster and starts it.
    package init() throws {
        let bin = try Self.binaries()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-pg-\(UUID().uuidString.prefix(8).lowercased())")
        self.bin = bin
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        if Self.runsAsRoot {
            guard let account = getpwnam("postgres") else {
                throw PostgresServerFailure("running as root, but there is no postgres user to run initdb and pg_ctl as: run `make test`, which installs PostgreSQL")
            }
            guard chown(directory.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw PostgresServerFailure("chown \(directory.path): \(String(cString: strerror(errno)))")
            }
        }
        Self.registry.withLock { $0.append(directory.path + "\n" + bin.path) }
        Self.installCleanup()
        Self.startWatchdog(directory: directory.path)
        port = DaemonProcess.freePort()
        try run("initdb", ["-D", dataDirectory, "-U", user, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"])
        try startBlocking()
    }

    /// Starts the server again on the same port, waiting until it accepts connections.
    package func start() async throws {
        try await offThePool { try self.startBlocking() }
    }

    /// Stops the server at once (`pg_ctl stop -m fast`): open connections are closed.
    package func stop() async throws {
        try await offThePool { try self.stopBlocking() }
    }

    /// Stops the server and deletes its folder.
    package func remove() async {
        _ = try? await offThePool {
            try? self.stopBlocking()
            try? FileManager.default.removeItem(at: self.directory)
            Self.registry.withLock { $0.removeAll { $0.hasPrefix(self.directory.path + "\n") } }
        }
    }

    private func startBlocking() throws {
        let options = [
            "-c listen_addresses=127.0.0.1", "-p \(port)", "-k \(directory.path)",
            "-c fsync=off", "-c full_page_writes=off", "-c max_connections=50",
        ].joined(separator: " ")
        do {
            try run("pg_ctl", ["-D", dataDirectory, "-l", logPath, "-w", "-t", "60", "-o", options, "start"])
        } catch {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw PostgresServerFailure("\(error)\nserver log:\n\(log)")
        }
    }

    private func stopBlocking() throws {
        try run("pg_ctl", ["-D", dataDirectory, "-w", "-m", "fast", "stop"])
    }

    /// A sink configuration for this server and the given table.
    package func sinkConfiguration(table: String, batch: Bool = true, roundTimeoutSecs: Double = 30) -> PostgresSinkConfiguration {
        PostgresSinkConfiguration(
            host: "127.0.0.1", port: port, user: user, database: database, password: nil,
            tls: .disable, table: table, batch: batch, roundTimeoutSecs: roundTimeoutSecs)
    }

    /// A plain connection of the test's own, closed after `body`.
    package func withConnection<Value: Sendable>(_ body: (PostgresConnection) async throws -> Value) async throws -> Value {
        let configuration = PostgresConnection.Configuration(
            host: "127.0.0.1", port: port, username: user, password: nil, database: database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: quietLogger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    // MARK: - Running the PostgreSQL binaries

    private static var runsAsRoot: Bool { geteuid() == 0 }

    /// The newest `/usr/lib/postgresql/<version>/bin` that has `initdb` (or `PG_BINDIR`).
    private static func binaries() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["PG_BINDIR"] { return URL(fileURLWithPath: path) }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return URL(fileURLWithPath: "\(root)/\(version)/bin")
        }
        throw PostgresServerFailure("""
            the PostgreSQL tests need a PostgreSQL server (initdb and pg_ctl in \(root)/<version>/bin), \
            and there is none: run `make test`, which installs it (scripts/install-deps.sh), \
            or `apt-get install postgresql`
            """)
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        try Self.run(bin.appendingPathComponent(tool).path, arguments, outputPath: directory.appendingPathComponent("\(tool).out").path)
    }

    /// Runs a PostgreSQL binary to completion, as the postgres user when root, its output to a file.
    private static func run(_ executable: String, _ arguments: [String], outputPath: String) throws {
        let argv = runsAsRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        let pid = try spawn(argv, outputPath: outputPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            let how = exited ? "exited with \(code)" : "was killed by signal \(status & 0x7f)"
            throw PostgresServerFailure("\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.joined(separator: " ")) \(how):\n\(text)")
        }
    }

    /// Starts a child with stdin from /dev/null, stdout and stderr to `outputPath`, and no other
    /// descriptor of ours, in the folder of `outputPath` (initdb and pg_ctl look for their
    /// binaries from there, and the postgres user must be able to enter it). Not Foundation's
    /// `Process`: it learns of the child's exit through a descriptor that the server
    /// `pg_ctl start` leaves running would inherit and keep open.
    private static func spawn(_ argv: [String], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc's GNU extensions (2.29, 2.34), which Swift's Glibc module leaves out.
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: AddClosefrom.self)(&actions, 3)
        }
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else {
            throw PostgresServerFailure("this C library has no posix_spawn_file_actions_addchdir_np (glibc 2.29 or later has)")
        }
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        _ = unsafeBitCast(symbol, to: AddChdir.self)(&actions, URL(fileURLWithPath: outputPath).deletingLastPathComponent().path)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard result == 0 else { throw PostgresServerFailure("cannot start \(argv[0]): \(String(cString: strerror(result)))") }
        return pid
    }

    // MARK: - Cleaning up when the test process ends

    /// `<folder>\n<bin>` of every server still there.
    private static let registry = Mutex<[String]>([])
    private static let cleanupInstalled = Mutex(false)

    private static func installCleanup() {
        guard cleanupInstalled.withLock({ installed in defer { installed = true }; return !installed }) else { return }
        atexit {
            for entry in PostgresServer.registry.withLock({ $0 }) {
                let parts = entry.split(separator: "\n").map(String.init)
                let directory = parts[0]
                try? PostgresServer.run(
                    parts[1] + "/pg_ctl", ["-D", directory + "/data", "-w", "-m", "fast", "stop"], outputPath: directory + "/stop.out")
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
    }

    /// Should the test process die without running `atexit`, a watchdog stops the server it
    /// left behind (SIGQUIT: immediate shutdown) once the process is gone, and deletes its folder.
    private static func startWatchdog(directory: String) {
        _ = try? spawn(["/bin/sh", "-c", """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            [ -f '\(directory)/data/postmaster.pid' ] && kill -QUIT "$(head -1 '\(directory)/data/postmaster.pid')" 2>/dev/null && sleep 2
            rm -rf '\(directory)'
            """], outputPath: "/dev/null")
    }
}

/// Runs blocking work (a child process to completion) on a Dispatch thread, not on one of
/// the few threads that run the tests.
package func offThePool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

package struct PostgresServerFailure: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// For the sink and the test connections: the tests look at outcomes and rows, not logs.
package let quietLogger = Logger(label: "intake.test.postgres") { _ in SwiftLogNoOpLogHandler() }

extension PostgresServer {
    /// A routing-queue table name of its own for one test.
    package static func newTableName() -> String {
        "routing_queue_" + UUID().uuidString.prefix(8).lowercased()
    }

    /// The idempotency keys in a routing-queue table, in the order they were inserted.
    package static func keysInQueueOrder(_ table: String, on connection: PostgresConnection) async throws -> [String] {
        var keys: [String] = []
        let query = PostgresQuery(unsafeSQL: "SELECT idempotency_key FROM \(table) ORDER BY id")
        for try await (key,) in try await connection.query(query, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }).decode((String,).self) {
            keys.append(key)
        }
        return keys
    }
}
