import Foundation
import IntakeCore

/// Takes known members out of a JSON object, checking their types and recording each error
/// under its JSON pointer (RFC 6901); what is left in the object is the caller's (`extra`,
/// or unknown fields). The one reader of the webhook's and the visit channel's bodies.
struct JSONFieldReader {
    let path: String
    var errors: [FieldError]
    /// Members whose value may come as a JSON number and is read as its digits: spreadsheet
    /// exports and some portals send phone numbers (and staff numbers) as numbers.
    let numericKeys: Set<String>

    init(path: String, errors: [FieldError] = [], numericKeys: Set<String> = ["phone"]) {
        self.path = path
        self.errors = errors
        self.numericKeys = numericKeys
    }

    static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    func pointer(_ relative: String) -> String { path + "/" + relative }

    mutating func fail(_ relative: String, _ problem: OperatorMessage) {
        errors.append(FieldError(pointer(relative), problem))
    }

    mutating func fail(_ relative: String, _ message: String) {
        fail(relative, .verbatim(message))
    }

    func failed(_ relative: String) -> Bool {
        errors.contains { $0.field == pointer(relative) }
    }

    mutating func rejectUnknown(_ fields: [String: JSONValue], allowed: Set<String>, what: String, in parent: String? = nil) {
        for key in fields.keys.sorted() where !allowed.contains(key) {
            fail((parent.map { $0 + "/" } ?? "") + Self.escape(key), .unknownField(object: what, allowed: allowed.sorted()))
        }
    }

    mutating func string(_ fields: inout [String: JSONValue], _ key: String, in parent: String? = nil) -> String? {
        guard let value = fields.removeValue(forKey: key) else { return nil }
        switch value {
        case .string(let text): return text
        case .null: return nil
        case .number(let number) where numericKeys.contains(key):
            // Not past Int64 (1e300 would trap): no phone number is that long anyway.
            return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : nil
        default:
            fail(relative(key, parent), .wrongType(expected: "string", found: value.typeName))
            return nil
        }
    }

    mutating func bool(_ fields: inout [String: JSONValue], _ key: String, in parent: String? = nil) -> Bool? {
        guard let value = fields.removeValue(forKey: key) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .null: return nil
        default:
            fail(relative(key, parent), .wrongType(expected: "boolean", found: value.typeName))
            return nil
        }
    }

    mutating func timestamp(_ fields: inout [String: JSONValue], _ key: String) -> Date? {
        guard let text = string(&fields, key) else { return nil }
        guard let date = Timestamp.parse(text) else {
            fail(key, .notTimestamp(value: text))
            return nil
        }
        return date
    }

    mutating func object(_ fields: inout [String: JSONValue], _ key: String, in parent: String? = nil) -> [String: JSONValue]? {
        guard let value = fields.removeValue(forKey: key) else { return nil }
        switch value {
        case .object(let members): return members
        case .null: return nil
        default:
            fail(relative(key, parent), .wrongType(expected: "object", found: value.typeName))
            return nil
        }
    }

    mutating func array(_ fields: inout [String: JSONValue], _ key: String) -> [JSONValue]? {
        guard let value = fields.removeValue(forKey: key) else { return nil }
        switch value {
        case .array(let items): return items
        case .null: return nil
        default:
            fail(Self.escape(key), .wrongType(expected: "array", found: value.typeName))
            return nil
        }
    }

    private func relative(_ key: String, _ parent: String?) -> String {
        (parent.map { $0 + "/" } ?? "") + Self.escape(key)
    }
}
