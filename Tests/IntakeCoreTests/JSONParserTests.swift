import IntakeCore
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\u00e9\ud83d\ude00\n"} "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]),
            "b": .string("x\"é😀\n"),
        ]))
    }

    @Test func reportsTheByteWhereTheBodyStopsBeingJSON() {
        #expect(throws: JSONParser.SyntaxError.self) { try parse(#"{"a": 1,}"#) }
        do {
            _ = try JSONParser.parse(Array(#"{"a": tru}"#.utf8))
            Issue.record("accepted a broken literal")
        } catch {
            #expect(error.offset == 6)
        }
    }

    @Test func refusesInvalidUTF8WithItsOffset() {
        var bytes = Array(#"{"a": "ok"#.utf8)
        bytes.append(0xFF)
        bytes.append(contentsOf: Array(#""}"#.utf8))
        do {
            _ = try JSONParser.parse(bytes)
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            #expect(error.reason == "invalid UTF-8")
            #expect(error.offset == 9)
        }
    }

    @Test func boundsNestingDepth() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(Array(deep.utf8), maxDepth: 32) }
        #expect(throws: Never.self) { try JSONParser.parse(Array(deep.utf8), maxDepth: 100) }
    }

    @Test(arguments: [#"{"a":1,"a":2}"#, "[01]", #""\ud800""#, "\"a\u{01}\"", "{} x", ""])
    func refusesWhatRFC8259Refuses(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try parse(text) }
    }

    @Test func serialisationRoundTrips() throws {
        let value = try parse(#"{"z": [1, 2.5, "a\u0001"], "a": {"k": null}}"#)
        #expect(try parse(value.serialized()) == value)
        #expect(value.serialized() == #"{"a":{"k":null},"z":[1,2.5,"a\u0001"]}"#)
    }
}
