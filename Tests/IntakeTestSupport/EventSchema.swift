import Foundation
import IntakeCore

/// Event files that do not validate against the shipped case schema, with what is wrong.
package struct EventSchemaMismatch: Error, CustomStringConvertible {
    package let errors: [String: [String]]
    package var description: String {
        errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.joined(separator: "; "))" }.joined(separator: "\n")
    }
}

/// Every event file a test produced must validate against the shipped case schema; throws
/// `EventSchemaMismatch` naming each file that does not.
package func expectEventsMatchSchema(in environment: TestEnvironment) throws {
    let validator = try JSONSchemaValidator(schemaData: CaseSchema.data())
    var mismatches: [String: [String]] = [:]
    for name in try environment.eventFiles() {
        let data = try Data(contentsOf: environment.outbox.appendingPathComponent(name))
        let errors = try validator.validate(data)
        if !errors.isEmpty { mismatches[name] = errors.map { "\($0)" } }
    }
    if !mismatches.isEmpty { throw EventSchemaMismatch(errors: mismatches) }
}

/// An event file of the file sink, decoded into the type the forwarder wrote it from.
package func readEvent(_ environment: TestEnvironment, _ name: String) throws -> CaseEvent {
    try CaseEvent.decoded(from: Data(contentsOf: environment.outbox.appendingPathComponent(name)))
}

/// The case inside a forwarded event file.
package func caseOf(_ environment: TestEnvironment, _ name: String) throws -> IntakeCase {
    try readEvent(environment, name).case
}

extension CaseEvent {
    /// One event as a sink received it (the routing queue's JSON).
    package static func decoded(from data: Data) throws -> CaseEvent {
        try JSONDecoder().decode(CaseEvent.self, from: data)
    }
}
