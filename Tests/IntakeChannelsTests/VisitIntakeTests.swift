import Foundation
import IntakeChannels
import IntakeCore
import IntakeStore
import IntakeTestSupport
import Logging
import Testing

/// The field-visit channel's work without HTTP: `VisitIntake.handle` against a temporary store.
@Suite struct VisitIntakeTests {
    static func intake(_ store: TemporaryStore, locale: OperatorLocale = .zhCN) -> VisitIntake {
        let configuration = VisitConfiguration()
        return VisitIntake(
            settings: configuration, decoder: VisitDecoder(configuration: configuration), database: store.database, blobs: store.blobs,
            authenticator: Live(SourceAuthenticator(sources: [.init(name: "tablets", method: .hmac, secret: Data(devSecret.utf8))])),
            normalizer: Live(testNormalizer), logger: Logger(label: "test"), locale: locale, onQueued: {})
    }

    static func visit(_ id: String, demands: [String]) -> String {
        let list = demands.map { #"{"text": "\#($0)", "category": "土地"}"# }.joined(separator: ", ")
        return #"""
            {"visit_id": "\#(id)", "recorded_at": "2026-02-26T10:40:00+08:00", "visited_at": "2026-02-26T10:00:00+08:00",
             "enterprise": {"name": "天津某某科技有限公司", "uscc": "91120116MA07K3RD93"},
             "staff": {"id": "S1024", "name": "李工", "phone": "139 2000 1024"}, "demands": [\#(list)]}
            """#
    }

    static func upload(_ intake: VisitIntake, _ body: String, signed: Bool = true) async throws -> (status: Int, visits: [[String: Any]]) {
        let answer = await intake.handle(
            IntakeHeaders(signature: signed ? signature(body) : nil), contentType: "application/json", body: Array(body.utf8))
        let json = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        return (answer.status, (json?["visits"] as? [[String: Any]]) ?? [])
    }

    @Test func eachDemandBecomesACaseAndTheSameUploadAgainIsARepeat() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let intake = Self.intake(store)
        let body = Self.visit("0195a3c2-7d4e-7b1a-9f00-000000000001", demands: ["厂房用地指标不足", "人才公寓申请进度慢"])
        let first = try await Self.upload(intake, body)
        #expect(first.status == 202, "\(first.visits)")
        #expect(first.visits.first?["status"] as? String == "created")
        let events = try await store.dueEvents()
        #expect(events.map(\.case.ref).sorted() == ["0195a3c2-7d4e-7b1a-9f00-000000000001#1", "0195a3c2-7d4e-7b1a-9f00-000000000001#2"])
        #expect(events.allSatisfy { $0.case.channel == .visit && $0.case.source == VisitIntake.source && $0.case.requester.name == "李工" })

        let again = try await Self.upload(intake, body)
        #expect(again.visits.first?["status"] as? String == "repeat")
        #expect(try store.database.caseCount() == 2)
    }

    @Test func aChangedDemandIsAnUpdateAndANewOneANewCase() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let intake = Self.intake(store)
        _ = try await Self.upload(intake, Self.visit("0195a3c2-7d4e-7b1a-9f00-000000000002", demands: ["厂房用地指标不足"]))
        let edited = try await Self.upload(intake, Self.visit("0195a3c2-7d4e-7b1a-9f00-000000000002", demands: ["厂房用地指标严重不足", "技改补贴尚未拨付"]))
        #expect(edited.status == 202)
        #expect(edited.visits.first?["status"] as? String == "updated")
        #expect(try store.database.caseCount() == 2)
    }

    @Test func anUnsignedUploadIsRefusedAndTraced() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let answer = try await Self.upload(Self.intake(store), Self.visit("0195a3c2-7d4e-7b1a-9f00-000000000003", demands: ["x"]), signed: false)
        #expect(answer.status == 401)
        #expect(try store.database.caseCount() == 0)
        #expect(try store.database.refusals().map(\.channel) == ["visit"])
    }

    @Test func aVisitWithoutDemandsOrNotesIsInvalidAndNothingIsCommitted() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let answer = try await Self.upload(Self.intake(store), Self.visit("0195a3c2-7d4e-7b1a-9f00-000000000004", demands: []))
        #expect(answer.status == 422)
        #expect(answer.visits.first?["status"] as? String == "invalid")
        #expect((answer.visits.first?["errors"] as? [String])?.first?.hasPrefix("/demands") == true, "\(answer.visits)")
        #expect(try store.database.caseCount() == 0)
    }

    /// The answer's messages follow `zone.locale`; the pointers and the status do not.
    @Test(arguments: [
        (OperatorLocale.zhCN, ["/demands/0/text: 不能为空", "/visited_at: 必填"]),
        (OperatorLocale.en, ["/demands/0/text: must not be empty", "/visited_at: is required"]),
    ])
    func anInvalidVisitIsAnsweredInTheZoneLanguageUnderStablePointers(locale: OperatorLocale, expected: [String]) async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let body = Self.visit("0195a3c2-7d4e-7b1a-9f00-000000000009", demands: [""]).replacingOccurrences(
            of: #""visited_at": "2026-02-26T10:00:00+08:00","#, with: "")
        let answer = try await Self.upload(Self.intake(store, locale: locale), body)
        #expect(answer.status == 422)
        #expect(answer.visits.first?["status"] as? String == "invalid")
        #expect((answer.visits.first?["errors"] as? [String])?.sorted() == expected, "\(answer.visits)")
    }

    /// A refused upload keeps its code and pointers; the field messages are in the zone's language.
    @Test func aRefusedUploadKeepsItsCodeAndPointersAndWordsItsMessagesInTheZoneLanguage() async throws {
        let store = try TemporaryStore()
        defer { store.remove() }
        let body = #"{"visits": []}"#
        let answer = await Self.intake(store).handle(
            IntakeHeaders(signature: signature(body)), contentType: "application/json", body: Array(body.utf8))
        #expect(answer.status == 422)
        let json = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        #expect(json["error"] as? String == "unprocessable")
        #expect(json["errors"] as? [[String: String]] == [["field": "/visits", "message": "为空"]])
    }
}
