import Foundation

// A small JSON Schema validator (draft 2020-12 semantics) for the test suite.
// The tests run every event they produce through it, checked against the
// product's schema file. It uses Foundation only.
//
// Supported keywords:
//   core:         $ref (local only: "#", "#/$defs/NAME", "#/definitions/NAME" or any
//                 other "#/json/pointer" to a subschema, with the root $id as an
//                 optional prefix), $defs, definitions, boolean schemas true/false
//   applicators:  allOf, anyOf, oneOf, not, if/then/else, properties,
//                 patternProperties, additionalProperties, propertyNames,
//                 dependentSchemas, prefixItems, items, contains
//   validation:   type, enum, const, multipleOf, minimum, maximum, exclusiveMinimum,
//                 exclusiveMaximum, minLength, maxLength, pattern, minItems, maxItems,
//                 uniqueItems, minContains, maxContains, minProperties, maxProperties,
//                 required, dependentRequired
//   format:       "date-time", "uuid" and "email" are checked. Other formats are ignored.
//
// Annotation and unknown keywords ($schema, $id, $anchor, $comment, title,
// description, examples, default, deprecated, readOnly, writeOnly, ...) are
// ignored, as the spec says. Keywords that change validation but are not
// implemented (unevaluatedProperties, unevaluatedItems, $dynamicRef,
// $recursiveRef, legacy dependencies/additionalItems) and non-local $refs make
// `init` throw. That way a schema is never half-checked without anyone noticing.
//
// `pattern` uses NSRegularExpression (ICU) and searches anywhere in the string,
// as the spec says. ICU is close to ECMA-262 but not the same; for example `\d`
// also matches non-ASCII digits. Numbers are compared as Double.

/// One validation failure: where in the instance it is, and what is wrong.
package struct JSONSchemaError: Sendable, Equatable, CustomStringConvertible {
    /// JSON Pointer (RFC 6901) of the instance location, e.g. `/case/requester/phone`.
    /// The empty string is the root of the document.
    package let path: String
    package let message: String

    package var description: String { "\(path.isEmpty ? "(root)" : path): \(message)" }
}

package struct JSONSchemaValidator: Sendable {
    /// Thrown by `init` when the schema is malformed or uses something not supported.
    package struct SchemaLoadError: Error, Sendable, CustomStringConvertible {
        /// JSON Pointer of the offending location in the schema document.
        package let schemaPath: String
        package let message: String
        package var description: String { "invalid schema at \(schemaPath.isEmpty ? "(root)" : schemaPath): \(message)" }
    }

    /// Thrown by `validate` when the instance bytes are not JSON.
    package struct InstanceParseError: Error, Sendable, CustomStringConvertible {
        package let message: String
        package var description: String { "instance is not valid JSON: \(message)" }
    }

    private let root: Schema
    /// Every subschema, keyed by its JSON Pointer in the schema document. Used to resolve $ref.
    private let registry: [String: Schema]

    private static let maxDepth = 256

    package init(schemaData: Data) throws {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: schemaData, options: [.fragmentsAllowed])
        } catch {
            throw SchemaLoadError(schemaPath: "", message: "schema is not valid JSON: \(error)")
        }
        let value: Value
        do {
            value = try Value(any: json)
        } catch let error as InstanceParseError {
            throw SchemaLoadError(schemaPath: "", message: error.message)
        }
        var rootID: String?
        if case .object(let obj) = value, case .string(let id)? = obj["$id"] {
            rootID = id.hasSuffix("#") ? String(id.dropLast()) : id
        }
        var compiler = Compiler(rootID: rootID)
        root = try compiler.compile(value, at: "")
        for (source, target) in compiler.refs where compiler.registry[target] == nil {
            throw SchemaLoadError(
                schemaPath: source,
                message: "$ref target \"#\(target)\" does not exist or is not a schema")
        }
        registry = compiler.registry
    }

    /// Validates JSON bytes. Returns every error found; an empty array means the instance is valid.
    package func validate(_ instance: Data) throws -> [JSONSchemaError] {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: instance, options: [.fragmentsAllowed])
        } catch {
            throw InstanceParseError(message: "\(error)")
        }
        return try validate(jsonObject: json)
    }

    /// Validates an object made by JSONSerialization (or built from String, NSNumber, Bool,
    /// Int, Double, NSNull, arrays and `[String: Any]` dictionaries).
    package func validate(jsonObject: Any) throws -> [JSONSchemaError] {
        let value = try Value(any: jsonObject)
        var errors: [JSONSchemaError] = []
        evaluate(root, value, path: "", depth: 0, into: &errors)
        return errors
    }
}

// MARK: - JSON value model

extension JSONSchemaValidator {
    /// A parsed JSON value. All numbers are Double, so `1 == 1.0`, and a number never equals a boolean.
    fileprivate enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([Value])
        case object([String: Value])

        package init(any: Any) throws {
            // Check the exact dynamic type before any bridging: `NSNumber(1) as? Bool`
            // succeeds on Linux and on Darwin.
            if any is NSNull {
                self = .null
            } else if type(of: any) == Bool.self, let b = any as? Bool {
                self = .bool(b)
            } else if let n = any as? NSNumber {
                // JSONSerialization gives NSNumber for both numbers and booleans. The booleans
                // are the shared __NSCFBoolean instances, on Darwin and in swift-corelibs-foundation alike.
                if Value.isBoolean(n) {
                    self = .bool(n.boolValue)
                } else {
                    let d = n.doubleValue
                    guard d.isFinite else { throw InstanceParseError(message: "non-finite number \(n)") }
                    self = .number(d)
                }
            } else if let s = any as? String {
                self = .string(s)
            } else if let a = any as? [Any] {
                self = .array(try a.map { try Value(any: $0) })
            } else if let o = any as? [String: Any] {
                var result: [String: Value] = [:]
                result.reserveCapacity(o.count)
                for (k, v) in o { result[k] = try Value(any: v) }
                self = .object(result)
            } else {
                throw InstanceParseError(message: "unsupported value of type \(type(of: any))")
            }
        }

        private static let booleanClass: AnyClass = type(of: NSNumber(value: true))

        package static func isBoolean(_ n: NSNumber) -> Bool {
            if type(of: n) == booleanClass { return true }
            // Fallback for a platform that does not keep a separate boolean class. A bool
            // number has objCType "c" (Darwin) or "B". JSON parsing never makes an Int8.
            if booleanClass == NSNumber.self {
                let t = String(cString: n.objCType)
                return t == "c" || t == "B"
            }
            return false
        }

        package var typeName: String {
            switch self {
            case .null: return "null"
            case .bool: return "boolean"
            case .number(let d): return Value.isIntegral(d) ? "integer" : "number"
            case .string: return "string"
            case .array: return "array"
            case .object: return "object"
            }
        }

        package static func isIntegral(_ d: Double) -> Bool { d.isFinite && d.rounded(.towardZero) == d }

        /// Compact JSON (object keys sorted), cut to about `limit` characters.
        package func rendered(limit: Int = 120) -> String {
            var out = ""
            render(into: &out)
            if out.count > limit { return String(out.prefix(limit)) + "…" }
            return out
        }

        private func render(into out: inout String) {
            switch self {
            case .null: out += "null"
            case .bool(let b): out += b ? "true" : "false"
            case .number(let d): out += Value.formatNumber(d)
            case .string(let s): out += Value.quote(s)
            case .array(let items):
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += "," }
                    item.render(into: &out)
                    if out.count > 4096 { break }
                }
                out += "]"
            case .object(let obj):
                out += "{"
                for (i, key) in obj.keys.sorted().enumerated() {
                    if i > 0 { out += "," }
                    out += Value.quote(key) + ":"
                    obj[key]!.render(into: &out)
                    if out.count > 4096 { break }
                }
                out += "}"
            }
        }

        package static func formatNumber(_ d: Double) -> String {
            if isIntegral(d) && abs(d) < 1e15 { return String(Int64(d)) }
            return "\(d)"
        }

        package static func quote(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
    }
}

// MARK: - Compiled schema model

extension JSONSchemaValidator {
    fileprivate indirect enum Schema: Sendable {
        case always(Bool)
        case node(Node)
    }

    /// A compiled NSRegularExpression. NSRegularExpression is immutable and documented as
    /// thread-safe, but its Sendable annotation differs between platforms, hence `@unchecked`.
    fileprivate struct Pattern: @unchecked Sendable {
        package let source: String
        package let regex: NSRegularExpression

        package init(_ source: String) throws {
            self.source = source
            regex = try NSRegularExpression(pattern: source, options: [])
        }

        /// Unanchored search, as the spec says.
        package func matches(_ s: String) -> Bool {
            regex.firstMatch(in: s, options: [], range: NSRange(s.startIndex..<s.endIndex, in: s)) != nil
        }
    }

    fileprivate struct Node: Sendable {
        package var ref: String?  // canonical JSON pointer into the schema document
        package var types: [String]?
        // objects
        package var properties: [String: Schema] = [:]
        package var patternProperties: [(Pattern, Schema)] = []
        package var additionalProperties: Schema?
        package var propertyNames: Schema?
        package var required: [String] = []
        package var dependentRequired: [(String, [String])] = []
        package var dependentSchemas: [(String, Schema)] = []
        package var minProperties: Int?
        package var maxProperties: Int?
        // arrays
        package var prefixItems: [Schema] = []
        package var items: Schema?
        package var contains: Schema?
        package var minContains: Int?
        package var maxContains: Int?
        package var minItems: Int?
        package var maxItems: Int?
        package var uniqueItems = false
        // any type
        package var enumValues: [Value]?
        package var constValue: Value?
        // strings
        package var pattern: Pattern?
        package var minLength: Int?
        package var maxLength: Int?
        package var format: String?
        // numbers
        package var minimum: Double?
        package var maximum: Double?
        package var exclusiveMinimum: Double?
        package var exclusiveMaximum: Double?
        package var multipleOf: Double?
        // combinators
        package var allOf: [Schema]?
        package var anyOf: [Schema]?
        package var oneOf: [Schema]?
        package var not: Schema?
        package var ifSchema: Schema?
        package var thenSchema: Schema?
        package var elseSchema: Schema?
    }

    fileprivate struct Compiler {
        package let rootID: String?
        package var registry: [String: Schema] = [:]
        package var refs: [(source: String, target: String)] = []

        package static let typeNames: Set<String> = ["null", "boolean", "object", "array", "number", "string", "integer"]
        package static let unsupported: [String: String] = [
            "unevaluatedProperties": "unevaluatedProperties is not supported by this validator",
            "unevaluatedItems": "unevaluatedItems is not supported by this validator",
            "$dynamicRef": "$dynamicRef is not supported by this validator",
            "$recursiveRef": "$recursiveRef is not supported by this validator",
            "dependencies": "\"dependencies\" is pre-2019-09; use dependentRequired / dependentSchemas",
            "additionalItems": "\"additionalItems\" is pre-2020-12; use prefixItems + items",
        ]

        package init(rootID: String?) { self.rootID = rootID }

        private func fail(_ at: String, _ message: String) -> SchemaLoadError {
            SchemaLoadError(schemaPath: at, message: message)
        }

        package mutating func compile(_ value: Value, at ptr: String) throws -> Schema {
            let schema: Schema
            switch value {
            case .bool(let b):
                schema = .always(b)
            case .object(let obj):
                schema = .node(try compileNode(obj, at: ptr))
            default:
                throw fail(ptr, "a schema must be an object or a boolean, got \(value.typeName)")
            }
            registry[ptr] = schema
            return schema
        }

        private mutating func compileNode(_ obj: [String: Value], at ptr: String) throws -> Node {
            var node = Node()
            func loc(_ key: String) -> String { ptr + "/" + escapePointerToken(key) }

            for key in obj.keys.sorted() {
                if let why = Compiler.unsupported[key] { throw fail(loc(key), why) }
            }

            // $defs / definitions: compile so that $ref can find them.
            for defsKey in ["$defs", "definitions"] {
                guard let defs = obj[defsKey] else { continue }
                guard case .object(let d) = defs else { throw fail(loc(defsKey), "\(defsKey) must be an object") }
                for name in d.keys.sorted() {
                    _ = try compile(d[name]!, at: loc(defsKey) + "/" + escapePointerToken(name))
                }
            }

            if let r = obj["$ref"] {
                guard case .string(let ref) = r else { throw fail(loc("$ref"), "$ref must be a string") }
                let target = try canonicalRef(ref, at: loc("$ref"))
                refs.append((loc("$ref"), target))
                node.ref = target
            }

            if let t = obj["type"] {
                var names: [String]
                switch t {
                case .string(let s): names = [s]
                case .array(let a):
                    names = try a.map {
                        guard case .string(let s) = $0 else { throw fail(loc("type"), "type array must contain strings") }
                        return s
                    }
                    if names.isEmpty { throw fail(loc("type"), "type array must not be empty") }
                default: throw fail(loc("type"), "type must be a string or an array of strings")
                }
                for n in names where !Compiler.typeNames.contains(n) {
                    throw fail(loc("type"), "unknown type \"\(n)\"")
                }
                node.types = names
            }

            // Objects
            if let p = obj["properties"] {
                guard case .object(let props) = p else { throw fail(loc("properties"), "properties must be an object") }
                for name in props.keys.sorted() {
                    node.properties[name] = try compile(props[name]!, at: loc("properties") + "/" + escapePointerToken(name))
                }
            }
            if let p = obj["patternProperties"] {
                guard case .object(let props) = p else {
                    throw fail(loc("patternProperties"), "patternProperties must be an object")
                }
                for source in props.keys.sorted() {
                    let at = loc("patternProperties") + "/" + escapePointerToken(source)
                    let pattern: Pattern
                    do { pattern = try Pattern(source) } catch { throw fail(at, "invalid regular expression \(Value.quote(source))") }
                    node.patternProperties.append((pattern, try compile(props[source]!, at: at)))
                }
            }
            if let a = obj["additionalProperties"] { node.additionalProperties = try compile(a, at: loc("additionalProperties")) }
            if let a = obj["propertyNames"] { node.propertyNames = try compile(a, at: loc("propertyNames")) }
            if let r = obj["required"] { node.required = try stringArray(r, at: loc("required")) }
            if let d = obj["dependentRequired"] {
                guard case .object(let deps) = d else { throw fail(loc("dependentRequired"), "dependentRequired must be an object") }
                for name in deps.keys.sorted() {
                    let at = loc("dependentRequired") + "/" + escapePointerToken(name)
                    node.dependentRequired.append((name, try stringArray(deps[name]!, at: at)))
                }
            }
            if let d = obj["dependentSchemas"] {
                guard case .object(let deps) = d else { throw fail(loc("dependentSchemas"), "dependentSchemas must be an object") }
                for name in deps.keys.sorted() {
                    let at = loc("dependentSchemas") + "/" + escapePointerToken(name)
                    node.dependentSchemas.append((name, try compile(deps[name]!, at: at)))
                }
            }
            node.minProperties = try count(obj, "minProperties", at: ptr)
            node.maxProperties = try count(obj, "maxProperties", at: ptr)

            // Arrays
            if let p = obj["prefixItems"] { node.prefixItems = try schemaArray(p, at: loc("prefixItems")) }
            if let i = obj["items"] {
                if case .array = i {
                    throw fail(loc("items"), "in draft 2020-12 items must be a single schema; use prefixItems for tuples")
                }
                node.items = try compile(i, at: loc("items"))
            }
            if let c = obj["contains"] { node.contains = try compile(c, at: loc("contains")) }
            node.minContains = try count(obj, "minContains", at: ptr)
            node.maxContains = try count(obj, "maxContains", at: ptr)
            node.minItems = try count(obj, "minItems", at: ptr)
            node.maxItems = try count(obj, "maxItems", at: ptr)
            if let u = obj["uniqueItems"] {
                guard case .bool(let b) = u else { throw fail(loc("uniqueItems"), "uniqueItems must be a boolean") }
                node.uniqueItems = b
            }

            // Any type
            if let e = obj["enum"] {
                guard case .array(let values) = e else { throw fail(loc("enum"), "enum must be an array") }
                node.enumValues = values
            }
            if let c = obj["const"] { node.constValue = c }

            // Strings
            if let p = obj["pattern"] {
                guard case .string(let source) = p else { throw fail(loc("pattern"), "pattern must be a string") }
                do { node.pattern = try Pattern(source) } catch {
                    throw fail(loc("pattern"), "invalid regular expression \(Value.quote(source))")
                }
            }
            node.minLength = try count(obj, "minLength", at: ptr)
            node.maxLength = try count(obj, "maxLength", at: ptr)
            if let f = obj["format"] {
                guard case .string(let s) = f else { throw fail(loc("format"), "format must be a string") }
                node.format = s
            }

            // Numbers
            node.minimum = try number(obj, "minimum", at: ptr)
            node.maximum = try number(obj, "maximum", at: ptr)
            node.exclusiveMinimum = try number(obj, "exclusiveMinimum", at: ptr)
            node.exclusiveMaximum = try number(obj, "exclusiveMaximum", at: ptr)
            node.multipleOf = try number(obj, "multipleOf", at: ptr)
            if let m = node.multipleOf, m <= 0 { throw fail(loc("multipleOf"), "multipleOf must be greater than 0") }

            // Combinators
            if let a = obj["allOf"] { node.allOf = try schemaArray(a, at: loc("allOf")) }
            if let a = obj["anyOf"] { node.anyOf = try schemaArray(a, at: loc("anyOf")) }
            if let a = obj["oneOf"] { node.oneOf = try schemaArray(a, at: loc("oneOf")) }
            if let n = obj["not"] { node.not = try compile(n, at: loc("not")) }
            if let s = obj["if"] { node.ifSchema = try compile(s, at: loc("if")) }
            if let s = obj["then"] { node.thenSchema = try compile(s, at: loc("then")) }
            if let s = obj["else"] { node.elseSchema = try compile(s, at: loc("else")) }

            return node
        }

        private mutating func schemaArray(_ value: Value, at ptr: String) throws -> [Schema] {
            guard case .array(let items) = value, !items.isEmpty else {
                throw fail(ptr, "must be a non-empty array of schemas")
            }
            return try items.enumerated().map { try compile($0.element, at: ptr + "/\($0.offset)") }
        }

        private func stringArray(_ value: Value, at ptr: String) throws -> [String] {
            guard case .array(let items) = value else { throw fail(ptr, "must be an array of strings") }
            return try items.map {
                guard case .string(let s) = $0 else { throw fail(ptr, "must be an array of strings") }
                return s
            }
        }

        private func count(_ obj: [String: Value], _ key: String, at ptr: String) throws -> Int? {
            guard let v = obj[key] else { return nil }
            guard case .number(let d) = v, Value.isIntegral(d), d >= 0, d <= Double(Int32.max) else {
                throw fail(ptr + "/" + key, "\(key) must be a non-negative integer")
            }
            return Int(d)
        }

        private func number(_ obj: [String: Value], _ key: String, at ptr: String) throws -> Double? {
            guard let v = obj[key] else { return nil }
            guard case .number(let d) = v else {
                if case .bool = v, key.hasPrefix("exclusive") {
                    throw fail(ptr + "/" + key, "boolean \(key) is draft-04 style; in 2020-12 it must be a number")
                }
                throw fail(ptr + "/" + key, "\(key) must be a number")
            }
            return d
        }

        /// Turns a $ref into the JSON Pointer key of the registry ("" is the root).
        private func canonicalRef(_ ref: String, at ptr: String) throws -> String {
            var r = ref
            if let id = rootID, !id.isEmpty, r.hasPrefix(id) { r.removeFirst(id.count) }
            if r.isEmpty { return "" }
            guard r.hasPrefix("#") else {
                throw fail(ptr, "only local $refs (\"#...\") are supported, got \(Value.quote(ref))")
            }
            let fragment = String(r.dropFirst())
            guard let decoded = fragment.removingPercentEncoding else {
                throw fail(ptr, "bad percent-encoding in $ref \(Value.quote(ref))")
            }
            if decoded.isEmpty { return "" }
            guard decoded.hasPrefix("/") else {
                throw fail(ptr, "$anchor references are not supported, got \(Value.quote(ref))")
            }
            // Unescape and escape again so the key matches what the registry uses.
            return decoded.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
                .map { escapePointerToken(unescapePointerToken(String($0))) }
                .reduce("") { $0 + "/" + $1 }
        }
    }
}

private func escapePointerToken(_ s: String) -> String {
    s.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
}

private func plural(_ n: Int, _ singular: String, _ pluralForm: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : pluralForm ?? singular + "s")"
}

private func unescapePointerToken(_ s: String) -> String {
    s.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
}

// MARK: - Evaluation

extension JSONSchemaValidator {
    private func evaluate(_ schema: Schema, _ value: Value, path: String, depth: Int, into errors: inout [JSONSchemaError]) {
        func report(_ message: String, at p: String = path) {
            errors.append(JSONSchemaError(path: p, message: message))
        }
        guard depth < JSONSchemaValidator.maxDepth else {
            report("schema nesting deeper than \(JSONSchemaValidator.maxDepth) levels (cyclic $ref?)")
            return
        }
        let node: Node
        switch schema {
        case .always(true): return
        case .always(false):
            report("value \(value.rendered()) is not allowed here (schema is false)")
            return
        case .node(let n): node = n
        }
        let next = depth + 1

        if let ref = node.ref, let target = registry[ref] {
            evaluate(target, value, path: path, depth: next, into: &errors)
        }

        if let types = node.types, !types.contains(where: { matchesType(value, $0) }) {
            let expected = types.count == 1 ? "of type \(Value.quote(types[0]))"
                : "of any type in [\(types.map(Value.quote).joined(separator: ","))]"
            report("value \(value.rendered()) (\(value.typeName)) is not \(expected)")
        }

        if let values = node.enumValues, !values.contains(value) {
            report("value \(value.rendered()) is not one of \(Value.array(values).rendered(limit: 300))")
        }
        if let c = node.constValue, c != value {
            report("value \(value.rendered()) does not equal the constant \(c.rendered())")
        }

        switch value {
        case .object(let obj):
            evaluateObject(node, obj, path: path, depth: next, into: &errors)
        case .array(let items):
            evaluateArray(node, items, path: path, depth: next, into: &errors)
        case .string(let s):
            evaluateString(node, s, path: path, into: &errors)
        case .number(let d):
            evaluateNumber(node, d, path: path, into: &errors)
        case .null, .bool:
            break
        }

        if let all = node.allOf {
            for sub in all { evaluate(sub, value, path: path, depth: next, into: &errors) }
        }
        if let any = node.anyOf {
            var branchErrors: [[JSONSchemaError]] = []
            for sub in any {
                var e: [JSONSchemaError] = []
                evaluate(sub, value, path: path, depth: next, into: &e)
                if e.isEmpty { branchErrors = []; break }
                branchErrors.append(e)
            }
            if !branchErrors.isEmpty {
                report("value does not match any schema in anyOf (\(summarize(branchErrors)))")
            }
        }
        if let one = node.oneOf {
            var matching: [Int] = []
            var branchErrors: [[JSONSchemaError]] = []
            for (i, sub) in one.enumerated() {
                var e: [JSONSchemaError] = []
                evaluate(sub, value, path: path, depth: next, into: &e)
                if e.isEmpty { matching.append(i) } else { branchErrors.append(e) }
            }
            if matching.isEmpty {
                report("value does not match any schema in oneOf (\(summarize(branchErrors)))")
            } else if matching.count > 1 {
                report("value matches \(matching.count) schemas in oneOf "
                    + "(#\(matching.map(String.init).joined(separator: ", #"))) but must match exactly one")
            }
        }
        if let not = node.not {
            var e: [JSONSchemaError] = []
            evaluate(not, value, path: path, depth: next, into: &e)
            if e.isEmpty { report("value \(value.rendered()) must not match the \"not\" schema") }
        }
        if let ifSchema = node.ifSchema {
            var e: [JSONSchemaError] = []
            evaluate(ifSchema, value, path: path, depth: next, into: &e)
            if e.isEmpty {
                if let then = node.thenSchema { evaluate(then, value, path: path, depth: next, into: &errors) }
            } else if let elseSchema = node.elseSchema {
                evaluate(elseSchema, value, path: path, depth: next, into: &errors)
            }
        }
    }

    private func evaluateObject(_ node: Node, _ obj: [String: Value], path: String, depth: Int, into errors: inout [JSONSchemaError]) {
        for name in node.required where obj[name] == nil {
            errors.append(JSONSchemaError(path: path, message: "required property \(Value.quote(name)) is missing"))
        }
        for (name, deps) in node.dependentRequired where obj[name] != nil {
            for dep in deps where obj[dep] == nil {
                errors.append(JSONSchemaError(
                    path: path,
                    message: "property \(Value.quote(dep)) is required when \(Value.quote(name)) is present"))
            }
        }
        if let min = node.minProperties, obj.count < min {
            errors.append(JSONSchemaError(path: path, message: "object has \(plural(obj.count, "property", "properties")), fewer than minProperties \(min)"))
        }
        if let max = node.maxProperties, obj.count > max {
            errors.append(JSONSchemaError(path: path, message: "object has \(plural(obj.count, "property", "properties")), more than maxProperties \(max)"))
        }
        for key in obj.keys.sorted() {
            let value = obj[key]!
            let childPath = path + "/" + escapePointerToken(key)
            var matched = false
            if let sub = node.properties[key] {
                matched = true
                evaluate(sub, value, path: childPath, depth: depth, into: &errors)
            }
            for (pattern, sub) in node.patternProperties where pattern.matches(key) {
                matched = true
                evaluate(sub, value, path: childPath, depth: depth, into: &errors)
            }
            if !matched, let additional = node.additionalProperties {
                if case .always(false) = additional {
                    errors.append(JSONSchemaError(
                        path: childPath,
                        message: "property \(Value.quote(key)) is not allowed (additionalProperties is false)"))
                } else {
                    evaluate(additional, value, path: childPath, depth: depth, into: &errors)
                }
            }
            if let names = node.propertyNames {
                var e: [JSONSchemaError] = []
                evaluate(names, .string(key), path: childPath, depth: depth, into: &e)
                for err in e {
                    errors.append(JSONSchemaError(path: path, message: "property name \(Value.quote(key)) is invalid: \(err.message)"))
                }
            }
        }
        for (name, sub) in node.dependentSchemas where obj[name] != nil {
            evaluate(sub, .object(obj), path: path, depth: depth, into: &errors)
        }
    }

    private func evaluateArray(_ node: Node, _ items: [Value], path: String, depth: Int, into errors: inout [JSONSchemaError]) {
        if let min = node.minItems, items.count < min {
            errors.append(JSONSchemaError(path: path, message: "array has \(plural(items.count, "item")), fewer than minItems \(min)"))
        }
        if let max = node.maxItems, items.count > max {
            errors.append(JSONSchemaError(path: path, message: "array has \(plural(items.count, "item")), more than maxItems \(max)"))
        }
        for (i, item) in items.enumerated() {
            if i < node.prefixItems.count {
                evaluate(node.prefixItems[i], item, path: path + "/\(i)", depth: depth, into: &errors)
            } else if let sub = node.items {
                if case .always(false) = sub {
                    errors.append(JSONSchemaError(
                        path: path + "/\(i)",
                        message: "item at index \(i) is not allowed (array allows at most \(node.prefixItems.count) items)"))
                } else {
                    evaluate(sub, item, path: path + "/\(i)", depth: depth, into: &errors)
                }
            }
        }
        if node.uniqueItems {
            outer: for i in items.indices {
                for j in items.indices where j > i && items[i] == items[j] {
                    errors.append(JSONSchemaError(
                        path: path,
                        message: "array items at index \(i) and \(j) are equal (\(items[i].rendered())) but uniqueItems is true"))
                    break outer
                }
            }
        }
        if let contains = node.contains {
            var count = 0
            for item in items {
                var e: [JSONSchemaError] = []
                evaluate(contains, item, path: path, depth: depth, into: &e)
                if e.isEmpty { count += 1 }
            }
            let min = node.minContains ?? 1
            if count < min {
                errors.append(JSONSchemaError(
                    path: path,
                    message: min == 1 && node.minContains == nil
                        ? "array does not contain any item matching the \"contains\" schema"
                        : "array contains \(plural(count, "item")) matching the \"contains\" schema, fewer than minContains \(min)"))
            }
            if let max = node.maxContains, count > max {
                errors.append(JSONSchemaError(
                    path: path,
                    message: "array contains \(plural(count, "item")) matching the \"contains\" schema, more than maxContains \(max)"))
            }
        }
    }

    private func evaluateString(_ node: Node, _ s: String, path: String, into errors: inout [JSONSchemaError]) {
        let length = s.unicodeScalars.count  // code points, as the spec says
        if let min = node.minLength, length < min {
            errors.append(JSONSchemaError(
                path: path, message: "string \(Value.string(s).rendered()) is too short (\(plural(length, "character")), minLength \(min))"))
        }
        if let max = node.maxLength, length > max {
            errors.append(JSONSchemaError(
                path: path, message: "string \(Value.string(s).rendered()) is too long (\(plural(length, "character")), maxLength \(max))"))
        }
        if let pattern = node.pattern, !pattern.matches(s) {
            errors.append(JSONSchemaError(
                path: path, message: "string \(Value.string(s).rendered()) does not match pattern \(Value.quote(pattern.source))"))
        }
        if let format = node.format {
            let ok: Bool
            switch format {
            case "date-time": ok = Formats.isDateTime(s)
            case "uuid": ok = Formats.isUUID(s)
            case "email": ok = Formats.isEmail(s)
            default: ok = true  // unknown formats are annotations only
            }
            if !ok {
                errors.append(JSONSchemaError(
                    path: path, message: "string \(Value.string(s).rendered()) is not a valid \(Value.quote(format))"))
            }
        }
    }

    private func evaluateNumber(_ node: Node, _ d: Double, path: String, into errors: inout [JSONSchemaError]) {
        let shown = Value.formatNumber(d)
        if let m = node.minimum, d < m {
            errors.append(JSONSchemaError(path: path, message: "value \(shown) is less than the minimum \(Value.formatNumber(m))"))
        }
        if let m = node.maximum, d > m {
            errors.append(JSONSchemaError(path: path, message: "value \(shown) is greater than the maximum \(Value.formatNumber(m))"))
        }
        if let m = node.exclusiveMinimum, d <= m {
            errors.append(JSONSchemaError(
                path: path, message: "value \(shown) is not greater than the exclusive minimum \(Value.formatNumber(m))"))
        }
        if let m = node.exclusiveMaximum, d >= m {
            errors.append(JSONSchemaError(
                path: path, message: "value \(shown) is not less than the exclusive maximum \(Value.formatNumber(m))"))
        }
        if let m = node.multipleOf {
            let q = d / m
            if !q.isFinite || q.rounded(.towardZero) != q {
                errors.append(JSONSchemaError(path: path, message: "value \(shown) is not a multiple of \(Value.formatNumber(m))"))
            }
        }
    }

    private func matchesType(_ value: Value, _ type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number):
            return true
        case ("integer", .number(let d)):
            return Value.isIntegral(d)
        default:
            return false
        }
    }

    /// One line that sums up why each branch of anyOf/oneOf failed.
    private func summarize(_ branches: [[JSONSchemaError]]) -> String {
        branches.enumerated().map { index, errs in
            let shown = errs.prefix(3).map(\.description).joined(separator: "; ")
            let more = errs.count > 3 ? "; +\(errs.count - 3) more" : ""
            return "#\(index): \(shown)\(more)"
        }.joined(separator: " | ")
    }
}

// MARK: - Formats

extension JSONSchemaValidator {
    fileprivate enum Formats {
        /// RFC 3339 date-time: `YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)`. The offset is required.
        /// T and Z may be lower case. A leap second (:60) is accepted only at 23:59 UTC.
        package static func isDateTime(_ s: String) -> Bool {
            let b = Array(s.utf8)
            guard b.count >= 20 else { return false }
            func num(_ at: Int, _ len: Int) -> Int? {
                guard at + len <= b.count else { return nil }
                var n = 0
                for i in at..<(at + len) {
                    guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                    n = n * 10 + Int(b[i] - 0x30)
                }
                return n
            }
            func byte(_ at: Int, _ c: Character) -> Bool { at < b.count && b[at] == c.asciiValue! }

            guard let year = num(0, 4), byte(4, "-"), let month = num(5, 2), byte(7, "-"), let day = num(8, 2),
                  byte(10, "T") || byte(10, "t"),
                  let hour = num(11, 2), byte(13, ":"), let minute = num(14, 2), byte(16, ":"), let second = num(17, 2)
            else { return false }
            guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
                  hour <= 23, minute <= 59, second <= 60 else { return false }

            var i = 19
            if byte(i, ".") {
                i += 1
                let start = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                guard i > start else { return false }
            }
            var offsetMinutes = 0
            if byte(i, "Z") || byte(i, "z") {
                i += 1
            } else if byte(i, "+") || byte(i, "-") {
                let sign = byte(i, "-") ? -1 : 1
                guard let oh = num(i + 1, 2), byte(i + 3, ":"), let om = num(i + 4, 2), oh <= 23, om <= 59 else { return false }
                offsetMinutes = sign * (oh * 60 + om)
                i += 6
            } else {
                return false
            }
            guard i == b.count else { return false }
            if second == 60 {
                let utcMinuteOfDay = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
                guard utcMinuteOfDay == 23 * 60 + 59 else { return false }
            }
            return true
        }

        private static func daysIn(month: Int, year: Int) -> Int {
            switch month {
            case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: return 30
            default: return 31
            }
        }

        /// 8-4-4-4-12 hexadecimal digits, either case.
        package static func isUUID(_ s: String) -> Bool {
            let b = Array(s.utf8)
            guard b.count == 36 else { return false }
            for (i, c) in b.enumerated() {
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    guard c == UInt8(ascii: "-") else { return false }
                } else {
                    let hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
                    guard hex else { return false }
                }
            }
            return true
        }

        /// A simple check, not full RFC 5321: `local@domain`, one "@", no whitespace or
        /// control characters, and no empty dot-separated labels on either side.
        package static func isEmail(_ s: String) -> Bool {
            let parts = s.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return false }
            let local = parts[0], domain = parts[1]
            guard !local.isEmpty, local.utf8.count <= 64, !domain.isEmpty, domain.utf8.count <= 255 else { return false }
            for scalar in s.unicodeScalars {
                if scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F { return false }
                if "<>()[],;:\\\"".unicodeScalars.contains(scalar) { return false }
            }
            let labelsOK = { (part: Substring) in
                part.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty }
            }
            return labelsOK(local) && labelsOK(domain)
        }
    }
}
