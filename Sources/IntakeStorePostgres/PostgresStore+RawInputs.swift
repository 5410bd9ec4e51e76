import Foundation
import PostgresNIO

extension PostgresStore {
    /// A raw input's bytes, its chunks read in order; nil when there is no such input.
    public func rawInput(sha256: String) async throws -> Data? {
        var body: Data?
        let query: PostgresQuery = """
            SELECT k.bytes FROM raw_input r LEFT JOIN raw_chunk k ON k.sha256 = r.sha256
            WHERE r.sha256 = \(sha256) ORDER BY k.n
            """
        for try await (bytes,) in try await client.query(query, logger: logger).decode((Data?,).self) {
            if body == nil { body = Data() }
            if let bytes { body?.append(bytes) }
        }
        return body
    }
}
