import Foundation

/// A MinHash signature of a text's character shingles: `slotCount` minima, one per hash
/// permutation. The fraction of equal slots between two signatures estimates the Jaccard
/// similarity of the two shingle sets (standard error about sqrt(J(1-J)/128) ≈ 0.035 at J = 0.8).
///
/// Shingles are `shingleSize` consecutive scalars of `DedupText.scalars`. k = 3 for Chinese:
/// one character is too common to tell texts apart (k = 1 is a bag of characters); k = 2
/// (bigrams, the size of most words) lets short formulaic requests that differ only in the
/// item applied for reach 0.8 (13 of 120 "template" pairs in bench/dedup_pairs.jsonl, exact
/// Jaccard); k = 4 makes one changed character cost 4 shingles (light edits found 101/110,
/// k = 5: 71/110). k = 3: light edits 105/110, templates 3/120.
///
/// Hashing: each shingle is hashed once to 64 bits (its scalars packed and mixed with the
/// splitmix64 finaliser), then slot i takes the top 32 bits of `a_i * h + b_i` (mod 2^64,
/// a_i odd): multiply-shift universal hashing, 128 multiply-adds per shingle, no allocation.
///
/// A slot keeps the top `slotBits` (16) bits of its minimum (b-bit MinHash, Li & König
/// 2010): the minimum of the top bits is the top bits of the minimum, so nothing else
/// changes, and two unrelated slots agree by chance with probability 2^-16, far below the
/// estimate's own error. The stored signature is 256 bytes instead of 512.
public struct MinHashSignature: Sendable, Hashable {
    public static let slotCount = 128
    public static let shingleSize = 3
    /// Bits kept of each slot's minimum.
    public static let slotBits = 16
    /// Rows per LSH band; 128 / 6 gives 21 bands (the last 2 slots are not banded).
    ///
    /// Probability that a pair with Jaccard s shares at least one band, 1 - (1 - s^r)^b:
    ///
    ///     r × b     s=0.3   s=0.5   s=0.6   s=0.7   s=0.8    s=0.9
    ///     4 × 32    0.229   0.873   0.988   1.000   1.000    1.000
    ///     5 × 25    0.059   0.548   0.868   0.990   1.000    1.000
    ///     6 × 21    0.015   0.282   0.633   0.928   0.998    1.000   ← default
    ///     8 × 16    0.001   0.061   0.237   0.613   0.947    1.000
    ///
    /// 6 × 21 finds ≥ 0.8 pairs 99.8 % of the time and ≥ 0.9 (the text-only threshold)
    /// always, while a pair at 0.3 collides 1.5 % of the time, which keeps the candidate list
    /// short as the store grows. Candidates that share an identity key are fetched by key,
    /// not by band, so the "possible duplicate" range (0.5–0.8) within one enterprise does
    /// not depend on the S-curve.
    public static let defaultBandRows = 6

    public let values: [UInt32]

    /// - Parameter values: `slotCount` values; only their low `slotBits` bits are kept.
    public init(values: [UInt32]) {
        precondition(values.count == Self.slotCount, "a signature has \(Self.slotCount) slots")
        self.values = values.map { $0 & Self.slotMask }
    }

    static let slotMask = UInt32((1 << slotBits) - 1)

    /// The signature of a text after `DedupText` normalisation.
    public init(text: String) {
        self.init(scalars: DedupText.scalars(text))
    }

    /// The signature of already normalised scalars. A text shorter than a shingle is one
    /// shingle; an empty text has every slot at its largest value (see `isEmpty`).
    public init(scalars: [UInt32]) {
        var minima = [UInt32](repeating: .max, count: Self.slotCount)
        minima.withUnsafeMutableBufferPointer { slots in
            Self.multipliers.withUnsafeBufferPointer { multipliers in
                Self.increments.withUnsafeBufferPointer { increments in
                    Self.forEachShingleHash(scalars) { hash in
                        for slot in 0..<Self.slotCount {
                            let value = UInt32(truncatingIfNeeded: (multipliers[slot] &* hash &+ increments[slot]) >> 32)
                            slots[slot] = min(slots[slot], value)
                        }
                    }
                }
            }
        }
        self.values = minima.map { $0 >> (32 - UInt32(Self.slotBits)) }
    }

    /// True for the signature of a text with nothing left after normalisation; such a text
    /// is never a duplicate of anything.
    public var isEmpty: Bool { values.allSatisfy { $0 == Self.slotMask } }

    /// The fraction of equal slots: an estimate of the Jaccard similarity of the shingle sets.
    public func estimatedSimilarity(_ other: MinHashSignature) -> Double {
        if isEmpty || other.isEmpty { return 0 }
        var equal = 0
        for slot in 0..<Self.slotCount where values[slot] == other.values[slot] { equal += 1 }
        return Double(equal) / Double(Self.slotCount)
    }

    /// LSH band keys: one 64-bit key per band of `rows` consecutive slots, the band's index
    /// mixed in so equal rows in different bands do not collide. Two signatures are
    /// candidates when any key at the same position is equal.
    public func bands(rows: Int = Self.defaultBandRows) -> [UInt64] {
        precondition(rows > 0 && rows <= Self.slotCount)
        let bandCount = Self.slotCount / rows
        var keys: [UInt64] = []
        keys.reserveCapacity(bandCount)
        for band in 0..<bandCount {
            var key = Self.mix(UInt64(band) &+ 0x9E37_79B9_7F4A_7C15)
            for slot in (band * rows)..<(band * rows + rows) {
                key = Self.mix(key ^ UInt64(values[slot]))
            }
            keys.append(key)
        }
        return keys
    }

    // MARK: Hashing

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fixed seeds: a signature stored today must compare equal to one computed after an
    /// upgrade, so these never change (a change needs a new encoding version and a re-index).
    static let multipliers: [UInt64] = (0..<slotCount).map { mix(0x5EED_0000 &+ UInt64($0)) | 1 }
    static let increments: [UInt64] = (0..<slotCount).map { mix(0xB1A5_0000 &+ UInt64($0)) }

    /// Calls `body` with the 64-bit hash of every shingle (with repeats; min is idempotent).
    static func forEachShingleHash(_ scalars: [UInt32], size: Int = shingleSize, _ body: (UInt64) -> Void) {
        guard !scalars.isEmpty else { return }
        if scalars.count <= size {
            body(shingleHash(scalars[...]))
            return
        }
        for start in 0...(scalars.count - size) {
            body(shingleHash(scalars[start..<(start + size)]))
        }
    }

    /// Scalars are at most 21 bits: three pack exactly into 63 bits; longer shingles fold.
    static func shingleHash(_ shingle: ArraySlice<UInt32>) -> UInt64 {
        var packed: UInt64 = UInt64(shingle.count)
        for scalar in shingle { packed = (packed << 21 | UInt64(scalar)) ^ (packed >> 43) }
        return mix(packed)
    }
}

extension MinHashSignature {
    /// Exact Jaccard similarity of two texts' shingle sets, for tests and `dedup explain` on
    /// small texts (it builds both sets; the signature is what production compares).
    /// The share of the smaller text's shingles that the other text also has (1 when one
    /// text is the other with words added).
    public static func exactContainment(_ first: String, _ second: String, shingleSize: Int = shingleSize) -> Double {
        let a = shingleSet(DedupText.scalars(first), size: shingleSize)
        let b = shingleSet(DedupText.scalars(second), size: shingleSize)
        // A text of a few characters is contained in anything: no evidence of a re-send.
        guard min(a.count, b.count) >= 8 else { return 0 }
        return Double(a.intersection(b).count) / Double(min(a.count, b.count))
    }

    public static func exactJaccard(_ first: String, _ second: String, shingleSize: Int = shingleSize) -> Double {
        let a = shingleSet(DedupText.scalars(first), size: shingleSize)
        let b = shingleSet(DedupText.scalars(second), size: shingleSize)
        if a.isEmpty || b.isEmpty { return 0 }
        return Double(a.intersection(b).count) / Double(a.union(b).count)
    }

    static func shingleSet(_ scalars: [UInt32], size: Int) -> Set<UInt64> {
        var set = Set<UInt64>()
        forEachShingleHash(scalars, size: size) { set.insert($0) }
        return set
    }
}
