import Foundation

/// An `application/x-www-form-urlencoded` body or query string, keeping repeated names
/// (the ids ticked in a list) in order.
struct ConsoleForm: Sendable {
    let pairs: [(name: String, value: String)]

    init(_ text: String) {
        pairs = text.split(separator: "&").compactMap { part in
            let members = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(members[0]) else { return nil }
            return (name, members.count > 1 ? Self.decode(members[1]) ?? "" : "")
        }
    }

    /// The first value of `name`, trimmed; nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = pairs.first(where: { $0.name == name })?.value.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
        else { return nil }
        return value
    }

    /// The first value of `name` as given, untrimmed (a password).
    func raw(_ name: String) -> String? { pairs.first(where: { $0.name == name })?.value }

    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    private static func decode(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
