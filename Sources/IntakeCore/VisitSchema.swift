import Foundation

/// The JSON Schema of a field-visit upload (`intake.visit.v1`), shipped as a resource.
public enum VisitSchema {
    public static var url: URL? { Bundle.module.url(forResource: "intake.visit.v1.schema", withExtension: "json") }

    public static func data() throws -> Data {
        guard let url else { throw CocoaError(.fileNoSuchFile) }
        return try Data(contentsOf: url)
    }
}
