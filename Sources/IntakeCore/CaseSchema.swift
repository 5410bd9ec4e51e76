import Foundation

/// The JSON Schema of `intake.case.v1` and its event envelope, shipped as a resource.
public enum CaseSchema {
    public static var url: URL? { Bundle.module.url(forResource: "intake.case.v1.schema", withExtension: "json") }

    public static func data() throws -> Data {
        guard let url else { throw CocoaError(.fileNoSuchFile) }
        return try Data(contentsOf: url)
    }
}
