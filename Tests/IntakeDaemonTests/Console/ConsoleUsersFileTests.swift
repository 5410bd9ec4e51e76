import Foundation
import IntakeStore
import IntakeTestSupport
import Testing

@testable import IntakeDaemon

@Suite struct ConsoleUsersFileTests {
    @Test func usersAreWrittenAsHashesReadableByTheOwnerAloneAndReadBack() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let file = ConsoleUsersFile(path: store.directory.appendingPathComponent("admin-users").path)
        let admin = ConsoleUserAdmin(file: file, database: store.database)
        try await admin.add("admin", role: .admin, password: "first-password", by: "root")
        try await admin.add("li.wei", role: .viewer, password: "viewer-password", by: "root")
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        #expect(!text.contains("first-password") && !text.contains("viewer-password"))
        #expect(text.contains("admin:admin:$scrypt$") && text.contains("li.wei:viewer:$scrypt$"))
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let users = try file.read()
        #expect(users.map(\.name) == ["admin", "li.wei"])
        #expect(users[1].password.verify("viewer-password"))
        try await admin.change("li.wei", role: .operator, password: "changed-password", by: "root")
        let changed = try #require(try file.read().first { $0.name == "li.wei" })
        #expect(changed.role == .operator && changed.password.verify("changed-password") && !changed.password.verify("viewer-password"))
        try await admin.remove("li.wei", by: "root")
        #expect(try file.read().map(\.name) == ["admin"])
        // Every change is traced with who made it, never with the password.
        let trace = try store.database.consoleUserChanges()
        #expect(trace.map(\.step) == ["console_user_added", "console_user_added", "console_user_changed", "console_user_removed"])
        #expect(trace.allSatisfy { $0.actor == "root" })
        #expect(trace.allSatisfy { !($0.detail ?? "").contains("password\":\"changed-password") && !($0.detail ?? "").contains("scrypt") })
    }

    @Test func aChangeThatWouldBreakTheFileIsRefused() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let admin = ConsoleUserAdmin(file: ConsoleUsersFile(path: store.directory.appendingPathComponent("users").path), database: store.database)
        try await admin.add("admin", role: .admin, password: "first-password", by: "root")
        await #expect(throws: ConsoleUserAdmin.Refusal.self) { try await admin.add("admin", role: .viewer, password: "another-password", by: "root") }
        await #expect(throws: ConsoleUserAdmin.Refusal.self) { try await admin.add("bad name", role: .viewer, password: "another-password", by: "root") }
        await #expect(throws: ConsoleUserAdmin.Refusal.self) { try await admin.add("short", role: .viewer, password: "1234567", by: "root") }
        await #expect(throws: ConsoleUserAdmin.Refusal.self) { try await admin.remove("admin", by: "root") }
        await #expect(throws: ConsoleUserAdmin.Refusal.self) { try await admin.change("admin", role: .viewer, by: "root") }
        await #expect(throws: ConsoleUserAdmin.Refusal.self) { try await admin.remove("nobody", by: "root") }
        #expect(try admin.list().map(\.role) == [.admin])
    }

    @Test func aBrokenLineIsReportedWithItsNumber() {
        let hash = PasswordHash.decoy.description
        let cases: [(String, Int)] = [
            ("# comment\nadmin:admin:\(hash)\nadmin:viewer:\(hash)\n", 3),
            ("\nadmin:root:\(hash)\n", 2),
            ("admin:admin:plain-text-password\n", 1),
            ("admin-admin\n", 1),
        ]
        for (text, line) in cases {
            #expect(throws: ConsoleUsersFile.Problem.self) { try ConsoleUsersFile.parse(text) }
            do { _ = try ConsoleUsersFile.parse(text) } catch let problem as ConsoleUsersFile.Problem { #expect(problem.line == line, "\(text)") } catch {}
        }
    }

    @Test func intakeCheckNamesTheUsersFilesBrokenLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-users-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let users = directory.appendingPathComponent("admin-users").path
        try "admin:admin:\(PasswordHash.decoy)\nwang:superuser:\(PasswordHash.decoy)\n".write(toFile: users, atomically: true, encoding: .utf8)
        let environment = try TestEnvironment(
            extraYAML: "admin:\n  enabled: true\n  listen_port: 0\n  users_file: \(users)\n  session_hours: 0\n", directory: directory)
        #expect {
            try ConfigurationLoader.load(path: environment.configPath)
        } throws: { error in
            let issues = (error as? ConfigurationError)?.issues ?? []
            return issues.contains { $0.file == users && $0.line == 2 && $0.message.contains("superuser") }
                && issues.contains { $0.option == "admin.session_hours" && $0.line != nil && $0.column != nil }
        }
    }

    @Test func aMisspeltAdminOptionIsRefusedWithItsPlace() throws {
        let environment = try TestEnvironment(extraYAML: "admin:\n  enabled: true\n  listen_prot: 8081\n")
        defer { try? FileManager.default.removeItem(at: environment.directory) }
        #expect {
            try ConfigurationLoader.load(path: environment.configPath)
        } throws: { error in
            (error as? ConfigurationError)?.issues.contains { $0.option == "admin.listen_prot" && $0.line != nil && $0.message.contains("unknown option") } == true
        }
    }
}
