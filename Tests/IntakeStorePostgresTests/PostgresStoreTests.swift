import Foundation
import IntakeCore
import IntakePipeline
import IntakeStore
@testable import IntakeStorePostgres
import IntakeTestSupport
import Testing

/// Several gateways on one real PostgreSQL (a server of the tests' own, see `PostgresServer`),
/// each test on a database of its own. Serialised: each test opens many connections at once.
@Suite(.serialized) struct PostgresStoreTests {
    @Test func migrationsAreAppliedOnceWhenSixGatewaysStartTogether() async throws {
        let (server, database) = try await makeTestDatabase()
        let applied = try await withGateways(6, on: server, database: database) { stores in
            try await withThrowingTaskGroup(of: (String, [String]).self) { group in
                for store in stores { group.addTask { (store.configuration.node, try await store.migrate()) } }
                return try await group.reduce(into: [String: [String]]()) { $0[$1.0] = $1.1 }
            }
        }
        let names = PostgresMigrations.all.map(\.name)
        let appliers = applied.filter { !$0.value.isEmpty }
        #expect(appliers.count == 1, "gateways that applied migrations: \(appliers)")
        #expect(appliers.first?.value == names)
        #expect(try await count("SELECT count(*) FROM schema_migrations", on: server, database: database) == names.count)
        #expect(try await count(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('intake_ledger', 'outbox', 'dedup_case', 'gateway')",
            on: server, database: database) == 4)
        // A gateway started later finds nothing to do.
        let later = try await withGateways(1, on: server, database: database) { stores in try await stores[0].migrate() }
        #expect(later.isEmpty)
    }

    @Test func theSameRefsThroughTwoGatewaysAtOnceAreOneCaseEach() async throws {
        let (server, database) = try await makeTestDatabase()
        let refs = (0..<40).map { "portal-20261206-\($0)" }
        let (first, second) = try await withGateways(2, on: server, database: database) { stores in
            try await stores[0].migrate()
            // Each gateway takes its batches in the opposite order: the most ways to meet.
            async let first = Self.admitInBatches(refs, through: stores[0])
            async let second = Self.admitInBatches(refs.reversed(), through: stores[1])
            return try await (first, second)
        }
        for ref in refs {
            let outcomes = [first[ref], second[ref]].compactMap { $0 }
            #expect(outcomes.count == 2)
            let created = outcomes.filter { $0.status == "created" }
            let repeats = outcomes.filter { $0.status == "repeat" }
            #expect(created.count == 1 && repeats.count == 1, "\(ref): \(outcomes)")
            #expect(created.first?.caseID == repeats.first?.caseID, "\(ref): the repeat answers with the case created")
        }
        #expect(try await count("SELECT count(*) FROM intake_case", on: server, database: database) == refs.count)
        #expect(try await count("SELECT count(*) FROM intake_ledger", on: server, database: database) == refs.count)
        #expect(try await count("SELECT count(*) FROM outbox", on: server, database: database) == refs.count)
    }

    @Test func simultaneousNearDuplicatesThroughTwoGatewaysAreOneCreatedAndOneDuplicate() async throws {
        let (server, database) = try await makeTestDatabase()
        let pairs = try await withGateways(2, on: server, database: database) { stores in
            try await stores[0].migrate()
            return try await withThrowingTaskGroup(of: (Int, Int, AdmissionOutcome).self) { group in
                for pair in 0..<10 {
                    // Ten requesters, each sending one demand to both gateways at the same moment.
                    let phone = "+86138001" + String(10000 + pair).suffix(5)
                    let text = "我司位于泰达街道的厂房扩建事项已提交两个月，至今没有答复，请问目前进度如何？希望尽快协调办理，编号\(pair)。"
                    let (one, oneRaw) = requestItem(ref: "a-\(pair)", text: text, phone: phone, deduplicated: true)
                    let (other, otherRaw) = requestItem(ref: "b-\(pair)", text: "您好，" + text, phone: phone, deduplicated: true)
                    group.addTask { (pair, 0, try await stores[0].admit([one], raw: [oneRaw])[0]) }
                    group.addTask { (pair, 1, try await stores[1].admit([other], raw: [otherRaw])[0]) }
                }
                return try await group.reduce(into: [Int: [AdmissionOutcome]]()) { $0[$1.0, default: []].append($1.2) }
            }
        }
        for (pair, outcomes) in pairs.sorted(by: { $0.key < $1.key }) {
            let created = outcomes.compactMap { outcome -> String? in
                if case .created(let id, _) = outcome { id } else { nil }
            }
            let duplicates = outcomes.compactMap { outcome -> String? in
                if case .duplicate(_, let original, _) = outcome { original } else { nil }
            }
            #expect(created.count == 1 && duplicates.count == 1, "pair \(pair): \(outcomes)")
            #expect(created.first == duplicates.first, "pair \(pair): the duplicate points at the case created")
        }
        #expect(try await count("SELECT count(*) FROM outbox WHERE event = 'case.created'", on: server, database: database) == 10)
        #expect(try await count("SELECT count(*) FROM outbox WHERE event = 'case.duplicate'", on: server, database: database) == 10)
        // Only originals are indexed: a later repeat of either points at the original.
        #expect(try await count("SELECT count(*) FROM dedup_case", on: server, database: database) == 10)
    }

    @Test func twoForwardersDeliverEveryEventOnceInCaseOrder() async throws {
        let (server, database) = try await makeTestDatabase()
        let log = DeliveryLog()
        let expectedKeys = try await withGateways(2, on: server, database: database) { stores in
            try await stores[0].migrate()
            // Fifteen hotline rows, each sent three times in a row with a changed text: created,
            // then two updates, queued through either gateway. A case's events are next to each
            // other in the outbox, where a claim of the oldest due events would take them together.
            for row in 0..<15 {
                for version in 0..<3 {
                    let (item, raw) = requestItem(ref: "row-\(row)", text: "诉求内容第\(version)版，工单\(row)。", versioning: .versioned)
                    let outcome = try await stores[(row + version) % 2].admit([item], raw: [raw])[0]
                    #expect(outcome.status == (version == 0 ? "created" : "updated"))
                }
            }
            let keys = try await Self.outboxKeys(server: server, database: database)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores { group.addTask { try await Self.forward(through: store, log: log, server: server, database: database) } }
                try await group.waitForAll()
            }
            return keys
        }
        let violations = await log.violations
        #expect(violations.isEmpty, "\(violations)")
        let delivered = await log.delivered
        #expect(expectedKeys.count == 45)
        #expect(delivered.map(\.event.idempotencyKey).sorted() == expectedKeys.map(\.key).sorted(), "every event delivered exactly once")
        #expect(Set(delivered.map(\.forwarder)) == ["gw1", "gw2"], "both forwarders took part")
        for caseID in Set(delivered.map(\.event.caseID)) {
            let ids = delivered.filter { $0.event.caseID == caseID }.map(\.event.id)
            #expect(ids == ids.sorted(), "case \(caseID) delivered out of order: \(ids)")
        }
        #expect(try await count("SELECT count(*) FROM outbox WHERE state = 'delivered' AND claim_token IS NULL", on: server, database: database) == 45)
    }

    @Test func gatewaysAreListedWithTheirLastHeartbeat() async throws {
        let (server, database) = try await makeTestDatabase()
        let sightings = try await withGateways(2, on: server, database: database) { stores in
            try await stores[0].migrate()
            try await stores[0].heartbeat(started: true)
            try await stores[1].heartbeat(started: true)
            try await stores[0].heartbeat()
            return try await stores[1].gateways()
        }
        #expect(sightings.map(\.node) == ["gw1", "gw2"])
        #expect(sightings.allSatisfy { $0.lastSeenAt >= $0.startedAt })
        #expect(sightings[0].lastSeenAt > sightings[0].startedAt, "gw1's second heartbeat moved its last-seen time")
    }

    @Test func anIdempotencyKeySentToTwoGatewaysAtOnceIsAdmittedOnceAndAnsweredAlike() async throws {
        // A client retrying through the load balancer: the same body, the same key.
        try await Self.sendToBothGateways { key in (key, key) }
    }

    @Test func aKeyReusedForAnotherRequestOnTheOtherGatewayAtOnceGetsTheFirstAnswer() async throws {
        // Two different requests (their own refs) under one key: nothing in common but the key.
        // The second is answered with the first's answer, whose request hash tells it apart.
        try await Self.sendToBothGateways { key in (key + "-a", key + "-b") }
    }

    /// Sends ten keys to both gateways at once, each gateway a request with its ref of
    /// `refs(key)`; expects for each key one request admitted and the other answered with
    /// the same stored answer, one case and one stored answer.
    static func sendToBothGateways(refs: @escaping @Sendable (String) -> (String, String)) async throws {
        let (server, database) = try await makeTestDatabase()
        let keys = (0..<10).map { "key-\($0)" }
        let results = try await withGateways(2, on: server, database: database) { stores in
            try await stores[0].migrate()
            // Both connected before the requests go, so that they meet.
            for store in stores { try await store.heartbeat(started: true) }
            return try await withThrowingTaskGroup(of: (String, IdempotentAdmission).self) { group in
                for key in keys {
                    let (first, second) = refs(key)
                    for (store, ref) in zip(stores, [first, second]) {
                        let (item, raw) = requestItem(ref: ref)
                        let request = IdempotentRequest(channel: .webhook, source: "portal", key: key, requestSHA256: raw.sha256) { outcomes in
                            StoredAnswer(requestSHA256: raw.sha256, status: 202, body: Data(outcomes[0].answer(ref: ref).serialized().utf8))
                        }
                        group.addTask { (key, try await store.admit([item], raw: [raw], answering: request)) }
                    }
                }
                return try await group.reduce(into: [String: [IdempotentAdmission]]()) { $0[$1.0, default: []].append($1.1) }
            }
        }
        for key in keys {
            let answers = results[key] ?? []
            let admitted = answers.compactMap { result -> StoredAnswer? in
                if case .admitted(let outcomes, let answer) = result, outcomes.map(\.status) == ["created"] { answer } else { nil }
            }
            let answeredBefore = answers.compactMap { result -> StoredAnswer? in
                if case .answeredBefore(let answer) = result { answer } else { nil }
            }
            #expect(admitted.count == 1 && answeredBefore.count == 1, "\(key): \(answers)")
            #expect(admitted == answeredBefore, "\(key): both gateways answer with the stored answer")
        }
        #expect(try await count("SELECT count(*) FROM intake_case", on: server, database: database) == keys.count)
        #expect(try await count("SELECT count(*) FROM idempotency_key", on: server, database: database) == keys.count)
    }

    @Test func anExpiredClaimIsTakenOverAndOnlyItsNewHolderRecordsTheOutcome() async throws {
        let (server, database) = try await makeTestDatabase()
        try await withGateways(2, on: server, database: database) { stores in
            try await stores[0].migrate()
            let (item, raw) = requestItem(ref: "portal-1")
            _ = try await stores[0].admit([item], raw: [raw])
            let first = try await stores[0].claimDueEvents(limit: 10, leaseSecs: 0.3)
            #expect(first.events.count == 1)
            #expect(try await stores[1].claimDueEvents(limit: 10).events.isEmpty, "claimed by gw1, its lease running")
            try await Task.sleep(for: .milliseconds(500))
            // gw1 hangs past its lease: gw2 takes the event over.
            let second = try await stores[1].claimDueEvents(limit: 10)
            #expect(second.events.map(\.idempotencyKey) == first.events.map(\.idempotencyKey))
            let late = try await stores[0].record(first.events.map { ($0, IntakeDatabase.AttemptResult.delivered(detail: "late")) }, claim: first, sink: "test")
            #expect(late.isEmpty, "a lost claim records nothing")
            let recorded = try await stores[1].record(second.events.map { ($0, IntakeDatabase.AttemptResult.delivered(detail: "test")) }, claim: second, sink: "test")
            #expect(recorded == second.events.map(\.id))
        }
        #expect(try await count("SELECT count(*) FROM outbox WHERE state = 'delivered' AND attempts = 1", on: server, database: database) == 1)
        #expect(try await count("SELECT count(*) FROM trace WHERE step = 'delivered' AND node = 'gw2'", on: server, database: database) == 1)
        #expect(try await count("SELECT count(*) FROM trace WHERE step = 'delivered'", on: server, database: database) == 1)
    }

    @Test func aLargeRawInputIsStoredInChunksOnceAndReadBackWhole() async throws {
        let (server, database) = try await makeTestDatabase()
        // A hotline export of 2.5 MiB: three chunks.
        let body = Data((0..<(5 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) })
        let raw = RawInput(channel: .hotline, source: "hotline", mediaType: "text/csv", body: body)
        let readBack = try await withGateways(2, on: server, database: database) { stores in
            try await stores[0].migrate()
            let (one, _) = requestItem(ref: "row-1")
            let (other, _) = requestItem(ref: "row-2")
            var first = one.intakeCase
            first.rawSHA256 = raw.sha256
            var second = other.intakeCase
            second.rawSHA256 = raw.sha256
            _ = try await stores[0].admit([AdmissionItem(first)], raw: [raw])
            _ = try await stores[1].admit([AdmissionItem(second)], raw: [raw])
            return try await stores[1].rawInput(sha256: raw.sha256)
        }
        #expect(readBack == body)
        #expect(try await count("SELECT count(*) FROM raw_chunk", on: server, database: database) == 3)
        #expect(try await count("SELECT count(*) FROM raw_input", on: server, database: database) == 1)
        #expect(try await count("SELECT count(*) FROM intake_case", on: server, database: database) == 2)
    }

    @Test func aMailboxIsLeasedToOneGatewayAtATimeAndTakenOverWhenTheLeaseExpires() async throws {
        let (server, database) = try await makeTestDatabase()
        try await withGateways(4, on: server, database: database) { stores in
            try await stores[0].migrate()
            for store in stores { try await store.heartbeat(started: true) }
            // Four gateways start polling the same mailbox at once: one gets it.
            let holders = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for store in stores {
                    group.addTask { (store.configuration.node, try await store.leaseMailbox(source: "service", mailbox: "INBOX", ttlSecs: 0.5)) }
                }
                return try await group.reduce(into: [String]()) { if $1.1 { $0.append($1.0) } }
            }
            #expect(holders.count == 1, "holders: \(holders)")
            guard let holder = stores.first(where: { $0.configuration.node == holders.first }),
                  let other = stores.first(where: { $0.configuration.node != holders.first })
            else { return }
            #expect(try await holder.leaseMailbox(source: "service", mailbox: "INBOX", ttlSecs: 0.5), "the holder renews")
            #expect(try await !other.leaseMailbox(source: "service", mailbox: "INBOX", ttlSecs: 0.5), "taken while the lease runs")
            #expect(try await other.leaseMailbox(source: "service", mailbox: "Archive", ttlSecs: 0.5), "another mailbox is free")
            // The holder stops renewing (it died): the lease expires and another takes over.
            try await Task.sleep(for: .milliseconds(800))
            #expect(try await other.leaseMailbox(source: "service", mailbox: "INBOX", ttlSecs: 0.5))
            #expect(try await !holder.leaseMailbox(source: "service", mailbox: "INBOX", ttlSecs: 0.5), "the old holder has lost it")
            try await other.releaseMailbox(source: "service", mailbox: "INBOX")
            #expect(try await holder.leaseMailbox(source: "service", mailbox: "INBOX", ttlSecs: 0.5), "free again once released")
        }
    }

    @Test func aMailboxCheckpointMovesOnlyWithTheLeaseHoldersCommit() async throws {
        let (server, database) = try await makeTestDatabase()
        try await withGateways(2, on: server, database: database) { stores in
            try await stores[0].migrate()
            func message(_ uid: UInt32) -> (AdmissionItem, RawInput, MailboxCheckpoint) {
                let (item, raw) = requestItem(ref: "<\(uid)@mail.example.cn>", text: "邮件诉求\(uid)", channel: .email, source: "service")
                return (item, raw, MailboxCheckpoint(uidValidity: 7, lastUID: uid))
            }
            #expect(try await stores[0].leaseMailbox(source: "service", mailbox: "INBOX", ttlSecs: 0.4))
            let (first, firstRaw, afterFirst) = message(1)
            #expect(try await stores[0].admit([first], raw: [firstRaw], source: "service", mailbox: "INBOX", advancingTo: afterFirst).map(\.status) == ["created"])
            // gw1 hangs past its lease; gw2 takes the mailbox over.
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await stores[1].leaseMailbox(source: "service", mailbox: "INBOX", ttlSecs: 5))
            let (second, secondRaw, afterSecond) = message(2)
            await #expect(throws: PostgresStoreError.mailboxLeaseLost(source: "service", mailbox: "INBOX")) {
                try await stores[0].admit([second], raw: [secondRaw], source: "service", mailbox: "INBOX", advancingTo: afterSecond)
            }
            // gw2 resumes after the last committed UID and takes message 2 once.
            #expect(try await stores[1].mailboxCheckpoint(source: "service", mailbox: "INBOX") == afterFirst)
            let (again, againRaw, _) = message(2)
            #expect(try await stores[1].admit([again], raw: [againRaw], source: "service", mailbox: "INBOX", advancingTo: afterSecond).map(\.status) == ["created"])
            #expect(try await stores[0].mailboxCheckpoint(source: "service", mailbox: "INBOX") == afterSecond)
        }
        #expect(try await count("SELECT count(*) FROM intake_case", on: server, database: database) == 2)
        #expect(try await count("SELECT count(*) FROM mailbox_checkpoint WHERE node = 'gw2' AND last_uid = 2", on: server, database: database) == 1)
    }

    @Test func admissionsThatArriveTogetherShareOneTransactionAndAFailedOneSpoilsNone() async throws {
        let (server, database) = try await makeTestDatabase()
        try await withGateways(1, on: server, database: database) { stores in _ = try await stores[0].migrate() }
        let store = try makeGateway("gw2", on: server, database: database)
        let requests = (0..<30).map { requestItem(ref: "portal-\($0)") }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Result<AdmissionOutcome, any Error>)?.self) { group in
            for (index, (item, raw)) in requests.enumerated() {
                // Request 7 names a raw input it does not bring: its insert fails.
                let inputs = index == 7 ? [] : [raw]
                group.addTask {
                    do { return (index, .success(try await store.admit([item], raw: inputs)[0])) } catch { return (index, .failure(error)) }
                }
            }
            // All thirty wait before the store's loop runs: its first transaction takes them all.
            while store.waitingAdmissions < requests.count { try await Task.sleep(for: .milliseconds(5)) }
            group.addTask { await store.run(); return nil }
            var outcomes: [Int: Result<AdmissionOutcome, any Error>] = [:]
            while outcomes.count < requests.count, let next = try await group.next() {
                if let (index, outcome) = next { outcomes[index] = outcome }
            }
            group.cancelAll()
            return outcomes
        }
        #expect(store.groupTransactions == 1)
        for (index, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            switch outcome {
            case .success(let admitted):
                #expect(index != 7 && admitted.status == "created", "request \(index): \(admitted)")
            case .failure(let error):
                #expect(index == 7, "request \(index): \(error)")
            }
        }
        #expect(try await count("SELECT count(*) FROM intake_case", on: server, database: database) == 29)
        #expect(try await count("SELECT count(*) FROM intake_ledger WHERE ref = 'portal-7'", on: server, database: database) == 0)
    }

    @Test func casesOutcomesAndEnvelopesAreWhatTheSQLiteStoreMakesOfTheSameItems() async throws {
        let (server, database) = try await makeTestDatabase()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("intake-parity-\(UUID().uuidString.prefix(8))")
        let sqlite = try IntakeDatabase(path: directory.appendingPathComponent("intake.sqlite").path)
        defer {
            sqlite.close()
            try? FileManager.default.removeItem(at: directory)
        }
        let text = "我司位于泰达街道的厂房扩建事项已提交两个月，至今没有答复，请问目前进度如何？"
        // A case, its near-duplicate, and a repeat of the first.
        let requests = [
            requestItem(ref: "a", text: text, deduplicated: true), requestItem(ref: "b", text: "您好，" + text, deduplicated: true),
            requestItem(ref: "a", text: text, deduplicated: true),
        ]
        var expected: [AdmissionOutcome] = []
        for (item, raw) in requests {
            let prepared = try await sqlite.findCandidates([item])
            expected.append(try await sqlite.intake { transaction in
                try transaction.storeRaw(sha256: raw.sha256, channel: raw.channel, source: raw.source, mediaType: raw.mediaType, body: raw.body)
                return try transaction.admit(prepared[0])
            })
        }
        let (outcomes, events) = try await withGateways(1, on: server, database: database) { stores in
            try await stores[0].migrate()
            var outcomes: [AdmissionOutcome] = []
            for (item, raw) in requests { outcomes += try await stores[0].admit([item], raw: [raw]) }
            return (outcomes, try await stores[0].claimDueEvents(limit: 10).events)
        }
        #expect(outcomes == expected)
        #expect(outcomes.map(\.status) == ["created", "duplicate", "repeat"])
        let sqliteEvents = try await sqlite.dueEvents(limit: 10)
        #expect(events.map(\.idempotencyKey) == sqliteEvents.map(\.idempotencyKey))
        #expect(events.map(\.payload) == sqliteEvents.map(\.payload), "the envelopes are the same bytes")
        for caseID in Set(outcomes.compactMap(\.caseID)) {
            let document = try await withConnection(to: database, on: server) { connection in
                var document: String?
                for try await (text,) in try await connection.query("SELECT document FROM intake_case WHERE id = \(caseID)", logger: quietLogger)
                    .decode((String,).self) { document = text }
                return document
            }
            let sqliteDocument = try sqlite.caseDocument(id: caseID)
            #expect(document != nil && document == sqliteDocument, "case \(caseID)")
        }
    }

    @Test func anEventWaitsWhileAnEarlierOneOfItsCaseIsBackingOffOrDead() async throws {
        let (server, database) = try await makeTestDatabase()
        try await withGateways(2, on: server, database: database) { stores in
            try await stores[0].migrate()
            for (ref, text) in [("row-1", "第一版"), ("row-1", "第二版"), ("row-2", "另一件事")] {
                let (item, raw) = requestItem(ref: ref, text: text, versioning: .versioned)
                _ = try await stores[0].admit([item], raw: [raw])
            }
            let first = try await stores[0].claimDueEvents(limit: 10)
            #expect(first.events.map(\.event) == ["case.created", "case.created"], "one event per case")
            guard first.events.count == 2 else { return }
            let (waiting, other) = (first.events[0], first.events[1])
            // The first case's event backs off (due again at once), the other is delivered.
            try await stores[0].record(
                [(waiting, .retryAt(Date().addingTimeInterval(-1), reason: "503")), (other, .delivered(detail: "ok"))], claim: first, sink: "test")
            let second = try await stores[1].claimDueEvents(limit: 10)
            #expect(second.events.map(\.idempotencyKey) == [waiting.idempotencyKey], "the retried event, not the update behind it")
            #expect(second.events.first?.attempts == 1)
            guard let retried = second.events.first else { return }
            try await stores[1].record([(retried, .deadLetter(reason: "422"))], claim: second, sink: "test")
            let third = try await stores[0].claimDueEvents(limit: 10)
            #expect(third.events.isEmpty, "the update waits behind the dead letter")
            let counts = try await stores[0].outboxCounts()
            #expect(counts.pending == 1 && counts.delivered == 1 && counts.dead == 1)
        }
    }

    // MARK: - Helpers

    static func admitInBatches(_ refs: [String], through store: PostgresStore) async throws -> [String: AdmissionOutcome] {
        var outcomes: [String: AdmissionOutcome] = [:]
        for start in stride(from: 0, to: refs.count, by: 5) {
            let batch = refs[start..<min(start + 5, refs.count)].map { requestItem(ref: $0) }
            let answers = try await store.admit(batch.map(\.0), raw: batch.map(\.1))
            for (item, answer) in zip(batch.map(\.0), answers) { outcomes[item.intakeCase.ref] = answer }
        }
        return outcomes
    }

    /// One forwarder: claims a few due events, checks the order, delivers them (a short
    /// pause), records them delivered; until nothing is pending.
    static func forward(through store: PostgresStore, log: DeliveryLog, server: PostgresServer, database: String) async throws {
        let all = try await outboxKeys(server: server, database: database)
        while true {
            let claim = try await store.claimDueEvents(limit: 3)
            if claim.events.isEmpty {
                if try await store.outboxCounts().pending == 0 { return }
                try await Task.sleep(for: .milliseconds(5))
                continue
            }
            for event in claim.events {
                await log.claimed(event, earlier: all.filter { $0.caseID == event.caseID && $0.id < event.id }.map(\.id))
            }
            try await Task.sleep(for: .milliseconds(3))
            // Logged as delivered before it is recorded: the next event of its case can only be
            // claimed after the record commits, so a claim the log finds early is a real one.
            await log.delivered(claim.events, by: store.configuration.node)
            let recorded = try await store.record(
                claim.events.map { ($0, IntakeDatabase.AttemptResult.delivered(detail: "test")) }, claim: claim, sink: "test")
            #expect(recorded == claim.events.map(\.id))
        }
    }

    static func outboxKeys(server: PostgresServer, database: String) async throws -> [(id: Int64, caseID: String, key: String)] {
        try await withConnection(to: database, on: server) { connection in
            var rows: [(id: Int64, caseID: String, key: String)] = []
            for try await row in try await connection.query("SELECT id, case_id, idempotency_key FROM outbox ORDER BY id", logger: quietLogger)
                .decode((Int64, String, String).self)
            {
                rows.append((row.0, row.1, row.2))
            }
            return rows
        }
    }
}
