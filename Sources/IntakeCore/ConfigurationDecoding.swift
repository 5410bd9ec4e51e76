/// What every part of the configuration file is decoded with: unknown keys refused, an absent
/// key its option's one default. Each component decodes its own section beside its type
/// (`X+Configuration.swift`) and reports mistakes in its values as a `ConfigurationSection`.
extension Decoder {
    /// Refuses keys the configuration does not know: a misspelt option must not be ignored.
    public func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let known = Keys.allCases.map(\.stringValue)
        let container = try self.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [key],
                debugDescription: "unknown option \"\(key.stringValue)\"; expected one of: \(known.joined(separator: ", "))"))
        }
    }
}

extension KeyedDecodingContainer {
    /// The value under `key`, or `fallback` when the key is absent.
    public func value<T: Decodable>(_ key: Key, default fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}

public struct AnyKey: CodingKey {
    public var stringValue: String
    public var intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue }
    public init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// A step of the path to an option (`webhook.sources[0].secret_file`), so that `intake check`
/// can name the file's line and column.
public enum ConfigPathElement: Hashable, Sendable {
    case key(String)
    case index(Int)
}

/// A component's section of the configuration file: it decodes itself, with one default per
/// option, and says what is wrong with values that decoded (a limit of 0, a port out of range),
/// each at its path relative to the section.
public protocol ConfigurationSection: Decodable, Sendable {
    func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void)
}

extension ConfigurationSection {
    /// Reports `value` unless it is greater than 0.
    public static func positive(_ value: Int, _ key: String, _ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        if value <= 0 { report([.key(key)], "must be greater than 0") }
    }
}
