/// A console user as the users file holds it.
public struct ConsoleUser: Sendable, Hashable {
    public var name: String
    public var role: ConsoleRole
    public var password: PasswordHash

    public init(name: String, role: ConsoleRole, password: PasswordHash) {
        self.name = name
        self.role = role
        self.password = password
    }

    /// Letters, digits, `.`, `_` and `-`, 1 to 64 of them: a name that is safe in the file,
    /// in the trace and on a page.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-")].contains(byte)
            }
    }
}
