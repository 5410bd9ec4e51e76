import ArgumentParser
import Foundation
import IntakeDaemon
#if canImport(Glibc)
import Glibc
#endif

struct Admin: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The admin console's users (admin.users_file).", subcommands: [User.self])

    struct User: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add, change, remove and list console users. Passwords come from stdin or a file, never the command line.",
            subcommands: [Add.self, Passwd.self, Remove.self, List.self])
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user with a role (viewer, operator, admin).")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The user name: letters, digits, . _ -") var name: String
        @Option(help: "viewer (read), operator (+ replay, reprocess) or admin (+ users).") var role: ConsoleRole
        @Option(help: "Read the password from this file (else from stdin, asked for on a terminal).") var passwordFile: String?

        func run() async throws {
            let admin = try userAdmin(options.config)
            try await refusalsExplained { try await admin.add(name, role: role, password: try readPassword(passwordFile), by: operatingUser()) }
            print("added \(name) (\(role.rawValue)) to \(admin.file.path)")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (and, with --role, its role); their console sessions end.")
        @OptionGroup var options: ConfigOption
        @Argument var name: String
        @Option(help: "A new role as well.") var role: ConsoleRole?
        @Option(help: "Read the password from this file (else from stdin).") var passwordFile: String?
        @Flag(help: "Change only the role, not the password.") var keepPassword = false

        func validate() throws {
            if keepPassword, role == nil { throw ValidationError("--keep-password needs --role") }
        }

        func run() async throws {
            let admin = try userAdmin(options.config)
            let password = keepPassword ? nil : try readPassword(passwordFile)
            try await refusalsExplained { try await admin.change(name, role: role, password: password, by: operatingUser()) }
            print("changed \(name)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user; their console sessions end at their next request.")
        @OptionGroup var options: ConfigOption
        @Argument var name: String

        func run() async throws {
            let admin = try userAdmin(options.config)
            try await refusalsExplained { try await admin.remove(name, by: operatingUser()) }
            print("removed \(name)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users and their roles (never their hashes).")
        @OptionGroup var options: ConfigOption
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let loaded = try loadOrExplain(options.config)
            print(try ConsoleUsersFile(path: loaded.settings.admin.usersFile).listing(json: json))
        }
    }
}

extension ConsoleRole: ExpressibleByArgument {}

private func userAdmin(_ config: String) throws -> ConsoleUserAdmin {
    let loaded = try loadOrExplain(config)
    return ConsoleUserAdmin(file: ConsoleUsersFile(path: loaded.settings.admin.usersFile), database: try loaded.openDatabase())
}

private func refusalsExplained(_ work: () async throws -> Void) async throws {
    do {
        try await work()
    } catch let refusal as ConsoleUserAdmin.Refusal {
        var standardError = StandardError()
        print(refusal.description, to: &standardError)
        throw ExitCode(2)
    }
}

/// The password: a file's first line, or stdin's (asked for twice, without echo, on a terminal).
private func readPassword(_ file: String?) throws -> String {
    if let file {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first.map { String($0).trimmingCharacters(in: ["\r"]) } ?? ""
    }
    if isatty(0) != 0 {
        guard let first = getpass("password: ").map({ String(cString: $0) }), let second = getpass("again: ").map({ String(cString: $0) }) else {
            throw ValidationError("no password given")
        }
        guard first == second else { throw ValidationError("the two passwords differ") }
        return first
    }
    guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on stdin") }
    return line
}
