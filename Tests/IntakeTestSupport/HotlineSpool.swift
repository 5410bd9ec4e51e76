import Foundation
import IntakeCore
import IntakeStore

/// The repository's root, for the shipped mapping and the committed fixtures.
package let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A committed hotline export fixture (`Fixtures/hotline/`, made by `make_fixtures.py`).
package func hotlineFixture(_ name: String) -> URL {
    repositoryRoot.appendingPathComponent("Tests/IntakeDaemonTests/Fixtures/hotline").appendingPathComponent(name)
}

/// A test environment with one hotline source, `hotline`, spooling into `<dir>/spool`.
package struct HotlineSpool {
    package let environment: TestEnvironment
    package var directory: URL { environment.directory.appendingPathComponent("spool") }
    package var archive: URL { directory.appendingPathComponent("archive") }
    package var quarantine: URL { directory.appendingPathComponent("quarantine") }

    /// - Parameter mapping: the mapping file; the shipped one when nil.
    package init(settleSecs: Double = 0, batchRows: Int = 2000, mapping: String? = nil, port: Int = 0) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-hotline-\(UUID().uuidString)")
        environment = try TestEnvironment(port: port, extraYAML: """
            hotline:
              sources:
                - name: hotline
                  spool_dir: \(directory.path)/spool
                  mapping: \(mapping ?? repositoryRoot.appendingPathComponent("channels/hotline.yaml").path)
                  settle_secs: \(settleSecs)
                  rescan_interval_millis: 100
                  batch_rows: \(batchRows)
            """, directory: directory)
    }

    /// Copies a fixture in under `name` and adds a `.done` marker.
    package func drop(_ fixture: URL, as name: String? = nil) throws {
        let name = name ?? fixture.lastPathComponent
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture, to: directory.appendingPathComponent(name))
        FileManager.default.createFile(atPath: directory.appendingPathComponent(name + ".done").path, contents: nil)
    }

    /// Every file under `archive/<day>/`, by name.
    package func archived() -> [String: URL] {
        var files: [String: URL] = [:]
        for day in (try? FileManager.default.contentsOfDirectory(at: archive, includingPropertiesForKeys: nil)) ?? [] {
            for file in (try? FileManager.default.contentsOfDirectory(at: day, includingPropertiesForKeys: nil)) ?? [] {
                files[file.lastPathComponent] = file
            }
        }
        return files
    }

    /// Waits until `name` is in the archive (or the quarantine, when asked).
    @discardableResult
    package func waitFor(_ name: String, inQuarantine: Bool = false, timeoutSecs: Double = 20) async throws -> URL {
        let deadline = Date().addingTimeInterval(timeoutSecs)
        while Date() < deadline {
            if inQuarantine {
                let file = quarantine.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: file.path) { return file }
            } else if let file = archived()[name] {
                return file
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DaemonFailure(message: "\(name) was not \(inQuarantine ? "quarantined" : "archived") within \(timeoutSecs) s")
    }

    /// The forwarded events (file sink), as JSON objects.
    package func events() throws -> [CaseEvent] {
        try environment.eventFiles().map { try readEvent(environment, $0) }
    }

    /// The cases of `case.created` events, by ref.
    package func createdCases() throws -> [String: IntakeCase] {
        var cases: [String: IntakeCase] = [:]
        for event in try events() where event.event == .created { cases[event.case.ref] = event.case }
        return cases
    }

    /// Waits until `count` events were forwarded.
    package func waitForEvents(_ count: Int, timeoutSecs: Double = 20) async throws -> [CaseEvent] {
        _ = try await environment.waitForEventFiles(count: count, timeoutSecs: timeoutSecs)
        return try events()
    }
}
