import ArgumentParser
import Foundation
import Hummingbird
import IntakeCore
import IntakeForwarding
import IntakePipeline
import IntakeStore
import Logging
import NIOCore

/// `make bench` part two: how fast the forwarder drains a backlog, to the file sink and to a
/// loopback HTTP receiver. Prints events/s; asserts nothing.
@main
struct ForwardingBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake-bench", abstract: "Drain an outbox backlog and print events/s.")

    @Option(help: "Events in the backlog.") var events = 100_000
    @Option(help: "file or http.") var sink = "file"
    @Option(help: "file: batched (one JSON Lines file per round) or per_event.") var layout = "batched"
    @Option(help: "http: events per POST.") var batchSize = 100
    @Option(help: "http: transfers in flight.") var concurrency = 8
    @Option(help: "Events per forwarder round.") var roundSize = 1024
    @Option(help: "Instead: evaluate text deduplication on these labelled pairs (JSON lines).") var dedupPairs: String?
    @Option(help: "Instead: measure a dedup lookup with this many cases stored (comma-separated for several).") var dedupLookup: String?
    @Option(help: "dedup lookup: the store's mmap_size in MiB, comma-separated to compare.") var mmapMib = "0"
    @Option(help: "Instead: classification accuracy; the training examples (TSV).") var classification: String?
    @Option(help: "classification: the held-out examples (TSV).") var heldout = "bench/classification_heldout.tsv"
    @Option(help: "classification: the taxonomy.") var taxonomy = "channels/taxonomy.yaml"
    @Option(help: "Instead: phone-number agreement with these libphonenumber vectors (TSV).") var phoneVectors: String?
    @Option(help: "Instead: feed cases over this many simulated days and print the store's size.") var retentionDays: Int?
    @Option(help: "retention: cases in all.") var retentionCases = 200_000
    @Flag(inversion: .prefixedNo, help: "retention: sweep once a simulated day.") var sweep = true
    @Option(help: "retention: horizons as raw_inputs,delivered_events,trace,resolved_quarantine days.") var horizons = "60,30,120,90"
    @Option(help: "retention: print the size every this many days.") var every = 20
    @Option(help: "retention: leave the store in this directory (its last day ends now).") var keep: String?

    func run() async throws {
        if let classification {
            try FidelityBenchmark.classification(taxonomyPath: taxonomy, examplesPath: classification, heldoutPath: heldout)
            return
        }
        if let retentionDays {
            let days = horizons.split(separator: ",").compactMap { Int($0) }
            guard days.count == 4 else { throw ValidationError("--horizons: four numbers of days") }
            var settings = RetentionSettings()
            (settings.rawInputsDays, settings.deliveredEventsDays, settings.traceDays, settings.resolvedQuarantineDays) = (days[0], days[1], days[2], days[3])
            try await RetentionBenchmark(days: retentionDays, cases: retentionCases, sweep: sweep, settings: settings, every: every, keep: keep).run()
            return
        }
        if let phoneVectors {
            try FidelityBenchmark.phones(phoneVectors)
            return
        }
        if let dedupPairs {
            try evaluateDedup(URL(fileURLWithPath: dedupPairs))
            return
        }
        if let dedupLookup {
            for stored in dedupLookup.split(separator: ",").compactMap({ Int($0) }) {
                try await DedupLookupBenchmark(stored: stored, mmapMiB: mmapMib.split(separator: ",").compactMap { Int($0) }).run()
            }
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try IntakeDatabase(path: directory.appendingPathComponent("intake.sqlite").path)
        defer { database.close() }
        try await fillBacklog(database)

        let quiet = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        var receiverTask: Task<Void, any Error>?
        let chosen: any Sink
        switch sink {
        case "http":
            let (port, task) = try await startReceiver()
            receiverTask = task
            chosen = HTTPSink(configuration: .init(url: "http://127.0.0.1:\(port)/events", batchSize: batchSize, concurrency: concurrency))
        default:
            guard let fileLayout = FileSink.Layout(rawValue: layout) else { throw ValidationError("--layout: batched or per_event") }
            chosen = try FileSink(directory: directory.appendingPathComponent("outbox"), layout: fileLayout)
        }
        let forwarder = OutboxForwarder(
            database: database, sink: chosen,
            configuration: .init(batchSize: roundSize, pollIntervalMillis: 50, roundIntervalMillis: 0), logger: quiet)
        let started = Date()
        let running = chosen
        let task = Task {
            let running = Task { try await running.run() }
            defer { running.cancel() }
            try await forwarder.run()
        }
        forwarder.wake()
        while try database.outboxGauges().pending > 0 { try await Task.sleep(for: .milliseconds(20)) }
        let seconds = Date().timeIntervalSince(started)
        task.cancel()
        _ = await task.result
        receiverTask?.cancel()
        let counts = try database.outboxCounts()
        let detail = sink == "http" ? "http batch_size=\(batchSize) concurrency=\(concurrency)" : "file layout=\(layout)"
        print(String(format: "forwarding %@: %d events in %.2f s = %.0f events/s (delivered %d, dead %d)",
                     detail, events, seconds, Double(events) / seconds, counts.delivered, counts.dead))
    }

    /// Queues `events` cases, a thousand per transaction.
    private func fillBacklog(_ database: IntakeDatabase) async throws {
        let description = String(repeating: "企业反映厂房用地规划许可办理进度缓慢，希望尽快答复。", count: 12)
        var made = 0
        while made < events {
            let chunk = min(1000, events - made)
            let start = made
            try await database.intake { transaction in
                for index in start..<(start + chunk) {
                    let raw = String(format: "%064x", index)
                    let value = IntakeCase(
                        id: UUIDv7.generate(), channel: .webhook, source: "bench", ref: "bench-\(index)",
                        receivedAt: "2026-02-26T09:13:05+08:00", rawSHA256: raw,
                        requester: Requester(name: "张先生", phone: "+8613812345678"),
                        enterprise: Enterprise(name: "天津某某科技有限公司", uscc: USCC("91120116MA07K3RD93")),
                        subject: "厂房用地规划许可进度咨询", description: description)
                    try transaction.storeRaw(sha256: raw, channel: .webhook, source: "bench", mediaType: "application/json", body: Data("{}".utf8))
                    _ = try transaction.admit(AdmissionItem(value))
                }
            }
            made += chunk
        }
    }

    /// A receiver that takes any POST and answers 200, on a free loopback port.
    private func startReceiver() async throws -> (Int, Task<Void, any Error>) {
        let router = Router()
        router.post("/events") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 64 << 20)
            return .ok
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "receiver") { _ in SwiftLogNoOpLogHandler() })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        return (await iterator.next() ?? 0, task)
    }
}

extension ForwardingBenchmark {
    /// Precision and recall of the text similarity at the duplicate threshold, by kind of pair,
    /// and what a signature costs.
    func evaluateDedup(_ file: URL) throws {
        let pairs = try DedupPair.parseLines(Data(contentsOf: file))
        let result = DedupEvaluation.run(pairs: pairs)
        print(String(format: "dedup: %d labelled pairs, threshold %.2f: precision %.3f, recall %.3f",
                     pairs.count, DedupPolicy().highThreshold, result.precision, result.recall))
        for (kind, outcome) in result.byKind.sorted(by: { $0.key < $1.key }) {
            let what = outcome.labelledDuplicate > 0 ? "found" : "wrongly flagged"
            print("  " + kind.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: " %4d pairs, %@ %d (%.3f), mean similarity %.3f",
                         outcome.pairs, what as NSString,
                         outcome.labelledDuplicate > 0 ? outcome.correct : outcome.flagged, outcome.rate, outcome.meanSimilarity))
        }
        let texts = pairs.map(\.a)
        let started = Date()
        var sink = 0
        for text in texts { sink &+= Int(MinHashSignature(text: text).estimatedSimilarity(MinHashSignature(text: text)) * 10) }
        let perText = Date().timeIntervalSince(started) / Double(texts.count * 2)
        print(String(format: "  signature: %.1f µs per text (%d texts)%@", perText * 1e6, texts.count, sink < 0 ? "!" : ""))
    }
}
