import Foundation
import IntakeCore
import Testing

/// Every event file a test produced must validate against the shipped case schema.
func expectEventsMatchSchema(in environment: TestEnvironment, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let validator = try JSONSchemaValidator(schemaData: CaseSchema.data())
    for name in try environment.eventFiles() {
        let data = try Data(contentsOf: environment.outbox.appendingPathComponent(name))
        let errors = try validator.validate(data)
        #expect(errors.isEmpty, "\(name): \(errors)", sourceLocation: sourceLocation)
    }
}

func readEvent(_ environment: TestEnvironment, _ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: environment.outbox.appendingPathComponent(name))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
}
