import Foundation
import GRDB

/// The dedup index (tables `dedup_case`, `dedup_band`, `dedup_key`), written in the same
/// transaction as the case it indexes.
extension IntakeTransaction {
    /// A stored case offered as a candidate, as the index holds it.
    public struct DedupIndexEntry: Sendable, Hashable {
        public var caseID: String
        public var at: Date
        public var category: String?
        public var keys: [String]
        public var signature: Data
        /// How many LSH bands it shares with the probe.
        public var sharedBands: Int
    }

    /// Bounds on a lookup, so that its cost does not grow with the store: a flood of similar
    /// texts (a template sent by a thousand companies) is read `perBand` rows per band, not
    /// a thousand.
    public struct DedupLookupLimits: Sendable, Hashable {
        /// Most recent rows read per band within the window. Small: a case of the same
        /// enterprise is found by its identity key whatever the bands hold; bands matter for
        /// requests without identity, and a duplicate shares several of its 21 bands.
        public var perBand = 4
        /// Most recent rows read per identity key within the window.
        public var perKey = 16
        /// Candidates returned (and compared): those sharing the most bands first, then
        /// those sharing a key.
        public var candidates = 12

        public init(perBand: Int = 4, perKey: Int = 16, candidates: Int = 12) {
            self.perBand = perBand
            self.perKey = perKey
            self.candidates = candidates
        }
    }

    /// Candidates sharing a band or an identity key with the probe, raised between `from` and `to`.
    public func dedupCandidates(
        bands: [UInt64], keys: [String], from: Date, to: Date, limits: DedupLookupLimits = DedupLookupLimits()
    ) throws -> [DedupIndexEntry] {
        let range = (from.timeIntervalSince1970, to.timeIntervalSince1970)
        var shared: [Int64: (bands: Int, key: Bool)] = [:]
        if !bands.isEmpty {
            // One statement for all bands (each its own bounded range scan): one execution
            // instead of 21.
            let perBand = "SELECT seq FROM (SELECT seq FROM dedup_band WHERE band = ? AND at BETWEEN ? AND ? ORDER BY at DESC LIMIT ?)"
            let byBands = try db.cachedStatement(sql: Array(repeating: perBand, count: bands.count).joined(separator: " UNION ALL "))
            var arguments: [(any DatabaseValueConvertible)?] = []
            arguments.reserveCapacity(bands.count * 4)
            for band in bands { arguments += [Int64(bitPattern: band), range.0, range.1, limits.perBand] }
            for seq in try Int64.fetchAll(byBands, arguments: StatementArguments(arguments)) {
                shared[seq, default: (0, false)].bands += 1
            }
        }
        let byKey = try db.cachedStatement(sql: """
            SELECT seq FROM dedup_key WHERE key = ? AND at BETWEEN ? AND ? ORDER BY at DESC LIMIT ?
            """)
        for key in keys {
            for seq in try Int64.fetchAll(byKey, arguments: [key, range.0, range.1, limits.perKey]) {
                shared[seq, default: (0, false)].key = true
            }
        }
        let chosen = shared.sorted { first, second in
            if first.value.bands != second.value.bands { return first.value.bands > second.value.bands }
            if first.value.key != second.value.key { return first.value.key }
            return first.key > second.key
        }.prefix(limits.candidates)

        let entry = try db.cachedStatement(sql: "SELECT case_id, at, category, keys, signature FROM dedup_case WHERE seq = ?")
        return try chosen.compactMap { seq, hits in
            try Row.fetchOne(entry, arguments: [seq]).map { row in
                let keys: String = row[3]
                return DedupIndexEntry(
                    caseID: row[0], at: Date(timeIntervalSince1970: row[1]), category: row[2],
                    keys: keys.isEmpty ? [] : keys.split(separator: "\n").map(String.init), signature: row[4],
                    sharedBands: hits.bands)
            }
        }
    }

    /// Indexes a case for later lookups; with `replacing`, a case indexed before (a new
    /// version from its source) has its entry replaced.
    public func indexForDedup(
        caseID: String, at: Date, category: String?, keys: [String], signature: Data, bands: [UInt64], replacing: Bool = false
    ) throws {
        if replacing { try removeFromDedupIndex(caseID: caseID) }
        let time = at.timeIntervalSince1970
        try db.cachedStatement(sql: "INSERT INTO dedup_case (case_id, at, category, keys, signature, bands) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [caseID, time, category, keys.joined(separator: "\n"), signature, Self.bandBlob(bands)])
        let seq = db.lastInsertedRowID
        if !bands.isEmpty {
            // One statement for all bands.
            let values = Array(repeating: "(?, ?, ?)", count: bands.count).joined(separator: ", ")
            var arguments: [(any DatabaseValueConvertible)?] = []
            arguments.reserveCapacity(bands.count * 3)
            for key in bands { arguments += [Int64(bitPattern: key), time, seq] }
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO dedup_band (band, at, seq) VALUES \(values)")
                .execute(arguments: StatementArguments(arguments))
        }
        let key = try db.cachedStatement(sql: "INSERT OR IGNORE INTO dedup_key (key, at, seq) VALUES (?, ?, ?)")
        for identity in keys { try key.execute(arguments: [identity, time, seq]) }
    }

    /// Whether a case is in the index (an original, not a duplicate).
    public func isIndexedForDedup(caseID: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM dedup_case WHERE case_id = ?)"), arguments: [caseID]) ?? false
    }

    func removeFromDedupIndex(caseID: String) throws {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT seq, at, keys, bands FROM dedup_case WHERE case_id = ?"), arguments: [caseID])
        else { return }
        let seq: Int64 = row[0]
        let at: Double = row[1]
        let keys: String = row[2]
        let bands: Data = row[3]
        let band = try db.cachedStatement(sql: "DELETE FROM dedup_band WHERE band = ? AND at = ? AND seq = ?")
        for key in Self.bandKeys(bands) { try band.execute(arguments: [Int64(bitPattern: key), at, seq]) }
        let key = try db.cachedStatement(sql: "DELETE FROM dedup_key WHERE key = ? AND at = ? AND seq = ?")
        for identity in keys.split(separator: "\n") { try key.execute(arguments: [String(identity), at, seq]) }
        try db.cachedStatement(sql: "DELETE FROM dedup_case WHERE seq = ?").execute(arguments: [seq])
    }

    static func bandBlob(_ bands: [UInt64]) -> Data {
        var data = Data(capacity: bands.count * 8)
        for band in bands { withUnsafeBytes(of: band.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func bandKeys(_ blob: Data) -> [UInt64] {
        let bytes = [UInt8](blob)
        var keys: [UInt64] = []
        var base = 0
        while base + 8 <= bytes.count {
            var key: UInt64 = 0
            for offset in 0..<8 { key |= UInt64(bytes[base + offset]) << UInt64(8 * offset) }
            keys.append(key)
            base += 8
        }
        return keys
    }
}
