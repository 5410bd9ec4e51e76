import Foundation

/// The in-memory LSH and identity index over the cases that later cases may duplicate.
///
/// It replaces B-tree tables of random band keys (21 rows a case), whose inserts spread every
/// group commit over thousands of pages. The store keeps each indexed case's compact row
/// (`dedup_case`: signature, keys, category, time, in insertion order, so appends touch few
/// pages) and rebuilds this index from the rows received within the window when it opens.
///
/// Open-addressing tables hold both kinds of entries: a slot is a 32-bit fingerprint of the
/// band (or identity key) and the 32-bit sequence number of the case's row. A lookup returns
/// sequence numbers; the caller reads their rows and compares signatures, so a fingerprint
/// that collides costs a comparison, never a wrong verdict. The slots are spread over 64
/// shards by fingerprint, each grown on its own, so that growing never holds two copies of
/// the whole index. About 25 slots a case at 35–70 % load: ~400 bytes a case within the window.
///
/// Thread-safe: lookups run on the requests' tasks while the single writer inserts.
/// Sequence numbers are kept as 32 bits in a slot: four billion indexed cases per store.
public final class DedupIndex: @unchecked Sendable {
    /// Bounds on a lookup, so that its cost does not grow with the store: a flood of similar
    /// texts (a template sent by a thousand companies) yields `perBand` rows per band, not a
    /// thousand.
    public struct Limits: Sendable, Hashable {
        /// Most recent cases taken per band within the window. Small: a case of the same
        /// enterprise is found by its identity key whatever the bands hold; bands matter for
        /// requests without identity, and a duplicate shares several of its 21 bands.
        public var perBand: Int
        /// Most recent cases taken per identity key within the window.
        public var perKey: Int
        /// Candidates returned (and compared): those sharing the most bands first, then
        /// those sharing a key, then the most recent.
        public var candidates: Int

        public init(perBand: Int = 4, perKey: Int = 16, candidates: Int = 12) {
            self.perBand = perBand
            self.perKey = perKey
            self.candidates = candidates
        }
    }

    /// A case the lookup found, and what it shares with the probe.
    public struct Hit: Sendable, Hashable {
        public var seq: Int64
        public var sharedBands: Int
        public var sharesKey: Bool
    }

    public let limits: Limits
    /// Cases received longer ago than this are dropped as the table grows.
    public let retention: TimeInterval
    /// Entries kept per fingerprint: beyond it the oldest is overwritten. A lookup reads only
    /// the most recent `perBand`/`perKey`, so this bounds a flood without losing answers.
    private let bandCap: Int
    private let keyCap: Int

    private let lock = NSLock()
    private struct Shard {
        var slots: [UInt64]
        var used = 0
    }

    private static let shardBits = 6
    // Guarded by `lock`.
    private var shards: [Shard]
    /// When each indexed row's demand was raised and when it was received (seconds since
    /// 2000-01-01), by `seq - firstSeq`; `Int32.min` where no row was indexed.
    private var raisedAt: [Int32] = []
    private var receivedAt: [Int32] = []
    private var firstSeq: Int64 = 1
    private var lastSeq: Int64 = 0
    private var committed: Int64 = 0
    /// The most recently indexed cases as candidates, so that the writer's re-check of what
    /// came after a snapshot (the batch before, the earlier items of its own) reads no rows.
    private var recentCandidates: [Int64: DedupCandidate] = [:]
    private var recentOrder: [Int64] = []
    private var recentStart = 0
    private let recentCapacity: Int
    private var pending: [(Int64, DedupCandidate)] = []

    /// - Parameter retention: how long a case stays indexed after it was received: the dedup
    ///   window and a margin (a later demand's `reported_at` may lie a little ahead).
    public init(limits: Limits = Limits(), retention: TimeInterval = 31 * 86400, capacity: Int = 1 << 12, recentCandidates: Int = 4096) {
        self.limits = limits
        recentCapacity = recentCandidates
        self.retention = retention
        bandCap = max(limits.perBand * 2, 4)
        keyCap = max(limits.perKey * 2, 4)
        var size = 16
        while size < capacity >> Self.shardBits { size <<= 1 }
        shards = Array(repeating: Shard(slots: [UInt64](repeating: 0, count: size)), count: 1 << Self.shardBits)
    }

    // MARK: Sequence numbers

    /// The highest sequence number whose transaction has committed: a lookup taken before a
    /// transaction reads rows up to it, and the writer re-checks what came after.
    public var committedSeq: Int64 { lock.withLock { committed } }

    /// The next sequence number for a row the writer is inserting (in increasing order).
    public func nextSeq() -> Int64 {
        lock.withLock {
            lastSeq += 1
            return lastSeq
        }
    }

    /// Moves the sequence counter past `seq` (the largest row in the store).
    public func advance(to seq: Int64) {
        lock.withLock { lastSeq = max(lastSeq, seq) }
    }

    /// Everything allocated so far is committed (or was rolled back and will never be read).
    public func markCommitted() {
        lock.withLock {
            committed = lastSeq
            promotePending()
        }
    }

    /// Number of cases indexed (for status and tests).
    public var count: Int { lock.withLock { raisedAt.lazy.filter { $0 != Int32.min }.count } }

    // MARK: Writing

    /// Indexes the row `seq` (allocated by `nextSeq`, or read back at start).
    public func insert(seq: Int64, bands: [UInt64], keys: [String], at: Date, receivedAt received: Date) {
        lock.withLock {
            if seq > lastSeq { lastSeq = seq }
            if raisedAt.isEmpty { firstSeq = seq }
            guard seq >= firstSeq else { return }
            let offset = Int(seq - firstSeq)
            if offset >= raisedAt.count {
                raisedAt.append(contentsOf: repeatElement(Int32.min, count: offset - raisedAt.count + 1))
                receivedAt.append(contentsOf: repeatElement(Int32.min, count: offset - receivedAt.count + 1))
            }
            raisedAt[offset] = Self.seconds(at)
            receivedAt[offset] = Self.seconds(received)
            let cutoff = Self.seconds(received.addingTimeInterval(-retention))
            for band in bands { place(band, seq: seq, cap: bandCap, cutoff: cutoff) }
            for key in keys { place(Self.keyHash(key), seq: seq, cap: keyCap, cutoff: cutoff) }
        }
    }

    /// Keeps a case just indexed as a candidate in memory (the last `recentCandidates` of
    /// them). It is pending until its transaction commits (`markCommitted`); a rolled-back
    /// job's entries are dropped (`pendingMark` / `discardPending(to:)`), so nothing is ever
    /// offered that the store does not hold.
    public func remember(_ candidate: DedupCandidate, seq: Int64) {
        lock.withLock { pending.append((seq, candidate)) }
    }

    /// Where the pending entries stand before a job, to drop what the job added if it fails.
    public var pendingMark: Int { lock.withLock { pending.count } }

    /// Drops the pending entries added after `mark` (their job was rolled back), or all of
    /// them (`mark` 0: the whole transaction failed).
    public func discardPending(to mark: Int) {
        lock.withLock { if pending.count > mark { pending.removeLast(pending.count - mark) } }
    }

    /// Caller holds `lock`.
    private func promotePending() {
        for (seq, candidate) in pending {
            recentCandidates[seq] = candidate
            if recentOrder.count < recentCapacity {
                recentOrder.append(seq)
            } else {
                recentCandidates[recentOrder[recentStart]] = nil
                recentOrder[recentStart] = seq
                recentStart = (recentStart + 1) % recentCapacity
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// A recently indexed case, if it is still remembered.
    public func recentCandidate(_ seq: Int64) -> DedupCandidate? {
        lock.withLock { recentCandidates[seq] }
    }

    /// A case indexed in the transaction now being written (only the writer asks).
    public func pendingCandidate(_ seq: Int64) -> DedupCandidate? {
        lock.withLock { pending.last { $0.0 == seq }?.1 }
    }

    /// Forgets a remembered case (its row was removed).
    public func forget(_ seq: Int64) {
        lock.withLock {
            _ = recentCandidates.removeValue(forKey: seq)
            pending.removeAll { $0.0 == seq }
        }
    }

    /// Forgets cases received before `cutoff` (done as the table grows; also for tests).
    public func evict(receivedBefore cutoff: Date) {
        lock.withLock {
            for shard in shards.indices { rebuild(shard, cutoff: Self.seconds(cutoff)) }
            dropTimes(before: Self.seconds(cutoff))
        }
    }

    // MARK: Reading

    /// Cases sharing a band or an identity key with a probe, raised within `window` seconds
    /// of `at`, with a sequence number in `seqs` (a snapshot, or what came after one).
    public func lookup(bands: [UInt64], keys: [String], at: Date, window: TimeInterval, seqs: ClosedRange<Int64>) -> [Hit] {
        let from = Self.seconds(at.addingTimeInterval(-window))
        let to = Self.seconds(at.addingTimeInterval(window))
        var shared: [Int64: (bands: Int, key: Bool)] = [:]
        lock.withLock {
            for band in bands {
                for seq in recent(band, limit: limits.perBand, seqs: seqs, from: from, to: to) { shared[seq, default: (0, false)].bands += 1 }
            }
            for key in keys {
                for seq in recent(Self.keyHash(key), limit: limits.perKey, seqs: seqs, from: from, to: to) { shared[seq, default: (0, false)].key = true }
            }
        }
        return shared.sorted { first, second in
            if first.value.bands != second.value.bands { return first.value.bands > second.value.bands }
            if first.value.key != second.value.key { return first.value.key }
            return first.key > second.key
        }.prefix(limits.candidates).map { Hit(seq: $0.key, sharedBands: $0.value.bands, sharesKey: $0.value.key) }
    }

    /// The cases a probe's bands and identity keys find within its policy's window.
    public func lookup(_ probe: DedupProbe, seqs: ClosedRange<Int64>) -> [Hit] {
        lookup(bands: probe.bands, keys: probe.identityKeys, at: probe.at, window: probe.policy.windowSeconds, seqs: seqs)
    }

    // MARK: Table

    /// Caller holds `lock`.
    private func recent(_ hash: UInt64, limit: Int, seqs: ClosedRange<Int64>, from: Int32, to: Int32) -> [Int64] {
        let fingerprint = Self.fingerprint(hash)
        let shard = Self.shard(of: fingerprint)
        let mask = shards[shard].slots.count - 1
        var position = Self.position(fingerprint: fingerprint) & mask
        var found: [Int64] = []
        while shards[shard].slots[position] != 0 {
            let slot = shards[shard].slots[position]
            if UInt32(truncatingIfNeeded: slot >> 32) == fingerprint {
                let seq = Int64(UInt32(truncatingIfNeeded: slot))
                if seqs.contains(seq), seq >= firstSeq, seq - firstSeq < Int64(raisedAt.count) {
                    let raised = raisedAt[Int(seq - firstSeq)]
                    if raised != Int32.min, raised >= from, raised <= to { found.append(seq) }
                }
            }
            position = (position + 1) & mask
        }
        if found.count > limit { found = Array(found.sorted(by: >).prefix(limit)) }
        return found
    }

    /// Caller holds `lock`. Adds an entry, or overwrites the oldest of its fingerprint when
    /// `cap` of them are there already; a shard over 70 % full is rebuilt first.
    private func place(_ hash: UInt64, seq: Int64, cap: Int, cutoff: Int32) {
        let fingerprint = Self.fingerprint(hash)
        let shard = Self.shard(of: fingerprint)
        if (shards[shard].used + 1) * 10 > shards[shard].slots.count * 7 {
            rebuild(shard, cutoff: cutoff)
            dropTimes(before: cutoff)
        }
        let value = UInt64(fingerprint) << 32 | UInt64(UInt32(truncatingIfNeeded: seq))
        let mask = shards[shard].slots.count - 1
        var position = Self.position(fingerprint: fingerprint) & mask
        var same = 0
        var oldest: (position: Int, seq: UInt32)?
        while shards[shard].slots[position] != 0 {
            let slot = shards[shard].slots[position]
            if UInt32(truncatingIfNeeded: slot >> 32) == fingerprint {
                same += 1
                let existing = UInt32(truncatingIfNeeded: slot)
                if existing == UInt32(truncatingIfNeeded: seq) { return }
                if oldest == nil || existing < oldest!.seq { oldest = (position, existing) }
            }
            position = (position + 1) & mask
        }
        if same >= cap, let oldest {
            shards[shard].slots[oldest.position] = value
            return
        }
        shards[shard].slots[position] = value
        shards[shard].used += 1
    }

    /// Caller holds `lock`. Rebuilds one shard at most half full, leaving out cases received
    /// before `cutoff` (so memory follows the window's volume, not the store's).
    private func rebuild(_ shard: Int, cutoff: Int32) {
        let old = shards[shard].slots
        var keep = 0
        for slot in old where slot != 0 && isKept(Int64(UInt32(truncatingIfNeeded: slot)), cutoff: cutoff) { keep += 1 }
        var newSize = 16
        while newSize < keep * 2 { newSize <<= 1 }
        var slots = [UInt64](repeating: 0, count: newSize)
        let mask = newSize - 1
        for slot in old where slot != 0 && isKept(Int64(UInt32(truncatingIfNeeded: slot)), cutoff: cutoff) {
            var position = Self.position(fingerprint: UInt32(truncatingIfNeeded: slot >> 32)) & mask
            while slots[position] != 0 { position = (position + 1) & mask }
            slots[position] = slot
        }
        shards[shard] = Shard(slots: slots, used: keep)
    }

    /// Caller holds `lock`. Drops the per-row times of cases received before `cutoff` from
    /// the front; slots still naming them (in shards not rebuilt yet) are skipped by lookups.
    private func dropTimes(before cutoff: Int32) {
        var drop = 0
        while drop < receivedAt.count, receivedAt[drop] == Int32.min || receivedAt[drop] < cutoff { drop += 1 }
        guard drop > 0 else { return }
        raisedAt.removeFirst(drop)
        receivedAt.removeFirst(drop)
        firstSeq += Int64(drop)
    }

    /// Caller holds `lock`.
    private func isKept(_ seq: Int64, cutoff: Int32) -> Bool {
        guard seq >= firstSeq, seq - firstSeq < Int64(receivedAt.count) else { return false }
        let received = receivedAt[Int(seq - firstSeq)]
        return received != Int32.min && received >= cutoff
    }

    // MARK: Hashing

    /// Band keys are already mixed 64-bit hashes. The table position is derived from the
    /// fingerprint (not from the rest of the hash), so that a rebuild re-places a slot from
    /// its content alone.
    static func fingerprint(_ hash: UInt64) -> UInt32 {
        let top = UInt32(truncatingIfNeeded: hash >> 32)
        return top == 0 ? 1 : top
    }

    static func shard(of fingerprint: UInt32) -> Int {
        Int(fingerprint >> (32 - UInt32(shardBits)))
    }

    static func position(fingerprint: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(fingerprint) &* 0x9E37_79B9_7F4A_7C15) >> 20)
    }

    /// Identity keys hashed apart from band keys (FNV-1a, then mixed).
    static func keyHash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return MinHashSignature.mix(hash ^ 0x4B45_5953)
    }

    static let epoch = Date(timeIntervalSince1970: 946_684_800)

    static func seconds(_ date: Date) -> Int32 {
        let value = date.timeIntervalSince(epoch).rounded(.down)
        return Int32(max(Double(Int32.min + 1), min(Double(Int32.max), value)))
    }
}
