import Foundation
import IntakePipeline
import IntakeStore

/// `make bench`: the cost of one dedup lookup — the in-memory index, reading the candidates'
/// rows from a snapshot and the decision, all before the writer — with
/// N cases stored. The cases are synthetic requests made of domain phrases (so unrelated
/// texts share phrases, as requests do), raised over one year by N/5 enterprises. Probes
/// are raised in the year's last month: half re-send a stored case with a phrase added, half
/// are new demands.
struct DedupLookupBenchmark {
    let stored: Int
    /// The store is measured once per `mmap_size` (same file, same warm OS cache).
    var mmapMiB: [Int] = [0]
    let probes = 2000
    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
    static let year = 365.0 * 86400

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-dedup-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("intake.sqlite").path
        let database = try IntakeDatabase(path: path)

        let filling = Date()
        let stored = stored
        var made = 0
        while made < stored {
            let range = made..<min(made + 20_000, stored)
            // Signatures on both cores (the daemon makes them outside the writer too).
            let entries = await withTaskGroup(of: [Entry].self) { group in
                let middle = range.lowerBound + range.count / 2
                for part in [range.lowerBound..<middle, middle..<range.upperBound] {
                    group.addTask { part.map { Self.entry(case: $0, stored: stored) } }
                }
                var all: [Entry] = []
                for await part in group { all += part }
                return all
            }
            try await database.intake { transaction in
                for entry in entries { try transaction.indexForDedup(caseID: entry.id, probe: entry.probe) }
            }
            made = range.upperBound
        }
        let fillSeconds = Date().timeIntervalSince(filling)
        database.close()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

        var random = SplitMix(seed: 42)
        let probes = (0..<probes).map { index -> DedupProbe in
            let at = Self.start.addingTimeInterval(Self.year - Double(random.next() % 2_592_000))
            if index % 2 == 0 {
                let original = stored - 1 - Int(random.next() % UInt64(min(stored, stored / 12 + 1)))
                var probe = Self.entry(case: original, stored: stored, extra: Self.words[Int(random.next() % UInt64(Self.words.count))]).probe
                probe.at = at
                return probe
            }
            var probe = Self.entry(case: stored + index, stored: stored).probe
            probe.at = at
            return probe
        }
        for mmap in mmapMiB {
            let database = try IntakeDatabase(path: path, mmapMiB: mmap)
            defer { database.close() }
            try await measure(probes, in: database, label: String(
                format: "dedup lookup with %7d cases stored (%4.0f MB, filled in %3.0f s, store.mmap_mib %4d)", stored, Double(size) / 1e6,
                fillSeconds, mmap))
        }
    }

    private func measure(_ probes: [DedupProbe], in database: IntakeDatabase, label: String) async throws {
        var timings: [(micros: Double, candidates: Int, duplicate: Bool)] = []
        for probe in probes {
            let began = DispatchTime.now().uptimeNanoseconds
            let (decision, candidates) = try await database.dedupDecision(for: probe)
            let micros = Double(DispatchTime.now().uptimeNanoseconds - began) / 1000
            if case .duplicate = decision.outcome { timings.append((micros, candidates, true)) } else { timings.append((micros, candidates, false)) }
        }
        let micros = timings.map { $0.micros }.sorted()
        let mean = micros.reduce(0, +) / Double(micros.count)
        let compared = Double(timings.map { $0.candidates }.reduce(0, +)) / Double(timings.count)
        let resends = timings.enumerated().filter { $0.offset % 2 == 0 }.map { $0.element }
        let newOnes = timings.enumerated().filter { $0.offset % 2 == 1 }.map { $0.element }
        let found = resends.filter { $0.duplicate }.count
        let flagged = newOnes.filter { $0.duplicate }.count
        print(label + String(
            format: ": mean %5.0f µs, p50 %5.0f µs, p99 %5.0f µs; %4.1f candidates compared; re-sends found %d/%d, new flagged %d/%d",
            mean, micros[micros.count / 2], micros[micros.count * 99 / 100], compared, found, resends.count, flagged, newOnes.count))
    }

    struct Entry: Sendable {
        var id: String
        var probe: DedupProbe
    }

    /// Stored case `index`: its text, enterprise, category and day are functions of the index.
    static func entry(case index: Int, stored: Int, extra: String = "") -> Entry {
        var random = SplitMix(seed: UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let count = 12 + Int(random.next() % 9)
        let text = (0..<count).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined() + extra
        let enterprise = index % max(stored / 5, 1)
        let at = start.addingTimeInterval(Double(index) / Double(max(stored, 1)) * year)
        let probe = DedupProbe(
            signature: MinHashSignature(text: text),
            identityKeys: ["name:企业\(enterprise)", "phone:+86138\(String(format: "%08d", enterprise))"],
            categoryCode: categories[index % categories.count], at: at, policy: DedupPolicy())
        return Entry(id: String(format: "case-%09d", index), probe: probe)
    }

    static let categories = ["planning", "land", "permits", "environment", "talent", "funding", "policy", "tax", "labour", "utilities", "ip", "other"]

    /// Domain phrases: a stem with a linking word, or two stems.
    static let words: [String] = {
        let stems = ["厂房", "用地", "规划", "许可", "审批", "证照", "环评", "排污", "人才", "公寓", "补贴", "融资", "贷款", "政策", "咨询", "税务",
                     "发票", "社保", "用工", "招聘", "供电", "供水", "燃气", "供热", "道路", "专利", "商标", "材料", "进度", "结果", "部门", "企业",
                     "项目", "申请", "办理", "提交", "审核", "协调", "落实", "答复", "时间", "条件", "标准", "费用", "流程", "窗口", "线上", "现场"]
        let linkers = ["的", "已经", "至今", "请问", "如何", "是否", "需要", "还有", "目前", "关于", "我司", "相关", "尚未", "能否", "希望", "问题"]
        var words: [String] = []
        for (index, stem) in stems.enumerated() {
            for (offset, linker) in linkers.enumerated() where (index + offset) % 3 == 0 {
                words.append(offset % 2 == 0 ? linker + stem : stem + linker)
            }
            words.append(stem + stems[(index * 7 + 3) % stems.count])
        }
        return words
    }()
}

/// A small seeded generator (splitmix64): the same store every run.
struct SplitMix: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
