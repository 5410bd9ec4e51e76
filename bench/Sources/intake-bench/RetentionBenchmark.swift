import Crypto
import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore
import Synchronization

/// `make bench`: the store's size over simulated time. Cases arrive every simulated day
/// (distinct enterprises, texts and requesters, one in ten with a photo), their events are
/// delivered the same day, and — with `sweep` — the retention sweeper runs once a day with
/// `settings`. Prints the store's size every `every` days: flat once every horizon has
/// passed, when retention works. With `keep`, the store (database and blobs) is left there,
/// its last day ending now, for a daemon to be started on it (bench/retention.sh).
struct RetentionBenchmark {
    let days: Int
    let cases: Int
    let sweep: Bool
    let settings: RetentionSettings
    var every = 20
    var keep: String?

    final class Clock: Sendable {
        private let time: Mutex<Date>
        init(_ date: Date) { time = Mutex(date) }
        var now: Date { time.withLock { $0 } }
        func set(_ date: Date) { time.withLock { $0 = date } }
    }

    func run() async throws {
        let directory = keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("intake-retention-bench-\(UUID().uuidString)")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: directory) } }
        let path = directory.appendingPathComponent("intake.sqlite").path
        // The last simulated day ends now: a kept store is as old as its horizons say.
        let start = Date().addingTimeInterval(-Double(days) * 86400)
        let clock = Clock(start)
        let database = try IntakeDatabase(path: path, clock: { clock.now })
        defer { database.close() }
        let blobs = try BlobStore(root: directory.appendingPathComponent("blobs"))
        let timestamps = Timestamp(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        let policy = DedupPolicy()
        let perDay = max(1, cases / days)

        print(sweep
            ? "retention: \(cases) cases over \(days) simulated days, sweeping daily (raw inputs \(settings.rawInputsDays) d, "
                + "delivered events \(settings.deliveredEventsDays) d, trace \(settings.traceDays) d, dedup window \(Int(policy.windowSeconds / 86400)) d)"
            : "retention off: \(cases) cases over \(days) simulated days, nothing removed")
        print("   day   cases fed   store in use   of it kept for good   the rest   free pages   files (db + WAL)   blobs")
        var made = 0
        var sweepSeconds = 0.0
        let began = Date()
        for day in 0..<days {
            let dayStart = start.addingTimeInterval(Double(day) * 86400)
            var index = 0
            while index < perDay {
                let chunk = index..<min(index + 50, perDay)
                var items: [(AdmissionItem, Data)] = []
                for offset in chunk {
                    let at = dayStart.addingTimeInterval(Double(offset) / Double(perDay) * 86400)
                    clock.set(at)
                    items.append(try Self.request(made + (offset - index), at: at, timestamps: timestamps, blobs: blobs, policy: policy))
                }
                let batch = items
                try await database.intake { transaction in
                    for (item, body) in batch {
                        try transaction.storeRaw(
                            sha256: item.intakeCase.rawSHA256, channel: .webhook, source: "portal", mediaType: "application/json", body: body)
                        _ = try transaction.admit(item)
                    }
                }
                made += chunk.count
                index = chunk.upperBound
            }
            // The day's events reach the routing queue.
            clock.set(dayStart.addingTimeInterval(86400 - 60))
            while true {
                let due = try await database.dueEvents(now: clock.now, limit: 1000)
                if due.isEmpty { break }
                try await database.record(due.map { ($0, .delivered(detail: "bench")) }, sink: "bench", now: clock.now)
            }
            if sweep {
                let sweepBegan = Date()
                _ = try await database.sweep(settings, blobs: blobs, wallClock: clock.now)
                sweepSeconds += Date().timeIntervalSince(sweepBegan)
            }
            if (day + 1) % every == 0 || day + 1 == days {
                let pages = try database.pageStatistics()
                let mib = { (bytes: Int) in Double(bytes) / 1048576 }
                let used = (pages.pages - pages.free) * pages.pageSize
                let files = Self.size(path) + Self.size(path + "-wal")
                let blobBytes = blobs.files().reduce(0) { $0 + $1.size }
                // Kept for good by design: the case (its document, or its tombstone) and the
                // ledger entry that keeps a re-sent ref a repeat; everything else has a horizon.
                let sizes = try database.tableSizes()
                let permanent = sizes.filter { name, _ in Self.permanent.contains { name.hasPrefix($0) } }.values.reduce(0, +)
                print(String(
                    format: "  %4d  %9d   %8.1f MiB   %13.1f MiB   %5.1f MiB   %10d   %12.1f MiB   %5.1f MiB", day + 1, made, mib(used),
                    mib(permanent), mib(used - permanent), pages.free, mib(files), mib(blobBytes)))
                fflush(nil)  // a run takes minutes: each line as it comes, also into a pipe
            }
        }
        let elapsed = Date().timeIntervalSince(began)
        print(String(format: "   fed in %.0f s (%.0f cases/s); the daily sweeps took %.1f s in all", elapsed, Double(made) / elapsed, sweepSeconds))
    }

    /// Tables and indexes whose rows are kept for good (by name prefix).
    static let permanent = ["intake_case", "sqlite_autoindex_intake_case", "intake_ledger", "sqlite_autoindex_intake_ledger", "ledger_content", "raw_input", "sqlite_autoindex_raw_input"]

    static func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// Request `index`: its enterprise, requester, text and photo are functions of the index
    /// (a real day's mix: every request its own enterprise and text).
    static func request(_ index: Int, at: Date, timestamps: Timestamp, blobs: BlobStore, policy: DedupPolicy) throws -> (AdmissionItem, Data) {
        var random = SplitMix(seed: UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ 7)
        let words = DedupLookupBenchmark.words
        let text = (0..<(14 + Int(random.next() % 10))).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined()
        let phone = String(format: "+86139%08d", index)
        let received = timestamps.format(at)
        var attachments: [Attachment] = []
        if index % 10 == 0 {
            var photo = Data("JPEG photo of case \(index) ".utf8)
            photo.append(Data((0..<4096).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
            let sha = try blobs.put(photo)
            // Blob ages are simulated too: the sweeper judges orphans by their files' times.
            try FileManager.default.setAttributes([.modificationDate: at], ofItemAtPath: blobs.url(for: sha).path)
            attachments.append(Attachment(sha256: sha, name: "现场照片.jpg", mediaType: "image/jpeg", size: photo.count))
        }
        let body = Data("""
            {"ref":"bench-\(index)","reported_at":"\(received)","requester":{"name":"联系人\(index)","phone":"\(phone)"},\
            "enterprise":{"name":"天津第\(index)号科技有限公司"},"subject":"企业诉求\(index)","description":"\(text)","category":"规划"}
            """.utf8)
        let raw = SHA256.hash(data: body).hexString
        var value = IntakeCase(
            id: UUIDv7.generate(at: at), channel: .webhook, source: "portal", ref: "bench-\(index)", receivedAt: received, rawSHA256: raw,
            reportedAt: received, requester: Requester(name: "联系人\(index)", phone: phone),
            enterprise: Enterprise(name: "天津第\(index)号科技有限公司"), subject: "企业诉求\(index)", description: text,
            category: Category(code: "planning", label: "规划", by: .source), dueAt: timestamps.format(at.addingTimeInterval(10 * 86400)))
        value.attachments = attachments
        return (AdmissionItem(value, probe: DedupProbe(intakeCase: value, at: at, policy: policy), receivedAt: at), body)
    }
}
