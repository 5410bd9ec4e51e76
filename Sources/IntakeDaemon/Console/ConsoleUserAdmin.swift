import Foundation
import IntakeCore
import IntakeStore

/// Adds, changes and removes console users — for `intake admin user …` and the console's
/// users page alike — and traces each change with who made it (`console_user_added`,
/// `console_user_changed`, `console_user_removed`; never the password or its hash).
public struct ConsoleUserAdmin: Sendable {
    public let file: ConsoleUsersFile
    let database: IntakeDatabase

    public init(file: ConsoleUsersFile, database: IntakeDatabase) {
        self.file = file
        self.database = database
    }

    /// Why a change was refused, for the person who asked for it.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static let minimumPasswordLength = 8

    public func list() throws -> [ConsoleUser] { try file.read() }

    public func add(_ name: String, role: ConsoleRole, password: String, by actor: String) async throws {
        guard ConsoleUser.isValidName(name) else { throw Refusal(description: "user names are 1 to 64 letters, digits, . _ and -") }
        try Self.check(password)
        let hash = try PasswordHash.make(password)
        try file.update { users in
            guard !users.contains(where: { $0.name == name }) else { throw Refusal(description: "user \"\(name)\" exists; use passwd to change it") }
            users.append(ConsoleUser(name: name, role: role, password: hash))
        }
        try await trace("console_user_added", name: name, role: role, actor: actor)
    }

    /// Sets a new role, a new password, or both.
    public func change(_ name: String, role: ConsoleRole? = nil, password: String? = nil, by actor: String) async throws {
        if let password { try Self.check(password) }
        let hash = try password.map { try PasswordHash.make($0) }
        var newRole: ConsoleRole?
        try file.update { users in
            guard let index = users.firstIndex(where: { $0.name == name }) else { throw Refusal(description: "no user \"\(name)\"") }
            if let role {
                if users[index].role == .admin, role != .admin, !users.contains(where: { $0.name != name && $0.role == .admin }) {
                    throw Refusal(description: "\"\(name)\" is the last admin")
                }
                users[index].role = role
            }
            if let hash { users[index].password = hash }
            newRole = users[index].role
        }
        try await trace("console_user_changed", name: name, role: newRole, actor: actor, passwordChanged: password != nil)
    }

    public func remove(_ name: String, by actor: String) async throws {
        try file.update { users in
            guard let index = users.firstIndex(where: { $0.name == name }) else { throw Refusal(description: "no user \"\(name)\"") }
            if users[index].role == .admin, !users.contains(where: { $0.name != name && $0.role == .admin }) {
                throw Refusal(description: "\"\(name)\" is the last admin")
            }
            users.remove(at: index)
        }
        try await trace("console_user_removed", name: name, role: nil, actor: actor)
    }

    static func check(_ password: String) throws {
        guard password.count >= minimumPasswordLength else {
            throw Refusal(description: "a password has at least \(minimumPasswordLength) characters")
        }
    }

    private func trace(_ step: String, name: String, role: ConsoleRole?, actor: String, passwordChanged: Bool = false) async throws {
        var detail: [String: JSONValue] = ["user": .string(name)]
        if let role { detail["role"] = .string(role.rawValue) }
        if passwordChanged { detail["password"] = .string("changed") }
        let fields = detail
        try await database.intake { transaction in
            try transaction.trace(TraceStep(step, actor: actor, detail: fields))
        }
    }
}
