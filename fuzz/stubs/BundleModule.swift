// SwiftPM generates `Bundle.module` for targets with resources; the fuzz build compiles
// IntakeCore without SwiftPM, and no fuzz target reads the schema files.
import Foundation

extension Foundation.Bundle {
    static let module = Bundle.main
}
