import Foundation
import IntakeCore
import IntakeStore

/// The users file: one `name:role:hash` line per user (`#` starts a comment), written whole
/// to a temporary name and renamed, mode 0600. Read again whenever it changes, so that
/// `intake admin user …` beside the running daemon takes effect at the next request.
public struct ConsoleUsersFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// A line that is not a user: where and why.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The users, in file order; none when the file does not exist yet.
    public func read() throws -> [ConsoleUser] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(line: 0, message: "cannot read \(path)") }
        return try Self.parse(String(decoding: data, as: UTF8.self))
    }

    static func parse(_ text: String) throws -> [ConsoleUser] {
        var users: [ConsoleUser] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            let number = index + 1
            guard fields.count == 3 else { throw Problem(line: number, message: "expected name:role:hash") }
            guard ConsoleUser.isValidName(fields[0]) else { throw Problem(line: number, message: "user names are letters, digits, . _ and -") }
            guard let role = ConsoleRole(rawValue: fields[1]) else {
                throw Problem(line: number, message: "role \"\(fields[1])\" is not one of viewer, operator, admin")
            }
            guard let hash = PasswordHash(fields[2]) else { throw Problem(line: number, message: "the password is not an scrypt hash") }
            guard !users.contains(where: { $0.name == fields[0] }) else { throw Problem(line: number, message: "\"\(fields[0])\" is listed twice") }
            users.append(ConsoleUser(name: fields[0], role: role, password: hash))
        }
        return users
    }

    /// Replaces the file with `users`.
    public func write(_ users: [ConsoleUser]) throws {
        let text = "# intake admin console users: name:role:scrypt hash. Edit with `intake admin user add|passwd|remove`.\n"
            + users.map { "\($0.name):\($0.role.rawValue):\($0.password)\n" }.joined()
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try DurableFile.writeFile(Data(text.utf8), to: temporary, fsync: true)
        // Password hashes: the replaced file's owner, group and mode (root:intake 0640 when the
        // daemon runs as intake), never readable by others; a new file is 0600.
        var existing = stat()
        if stat(path, &existing) == 0 {
            _ = chown(temporary.path, existing.st_uid, existing.st_gid)
            chmod(temporary.path, existing.st_mode & 0o640)
        } else {
            chmod(temporary.path, 0o600)
        }
        guard rename(temporary.path, path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw DurableFile.Failure(operation: "rename", path: path, code: code)
        }
        try DurableFile.syncDirectory(url.deletingLastPathComponent())
    }

    /// Changes the file under `change`, which may throw to leave it as it was.
    public func update(_ change: (inout [ConsoleUser]) throws -> Void) throws {
        var users = try read()
        try change(&users)
        try write(users)
    }

    /// `intake admin user list`: names and roles, never the hashes.
    public func listing(json: Bool) throws -> String {
        let users = try read()
        if json {
            return JSONValue.array(users.map { .object(["name": .string($0.name), "role": .string($0.role.rawValue)]) }).serialized()
        }
        if users.isEmpty { return "no users in \(path)" }
        return TextTable.render(header: ["USER", "ROLE"], rows: users.map { [$0.name, $0.role.rawValue] })
    }
}
