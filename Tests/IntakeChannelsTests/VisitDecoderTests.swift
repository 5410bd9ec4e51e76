import Foundation
import IntakeChannels
import IntakeCore
import IntakePipeline
import Testing

@Suite struct VisitDecoderTests {
    static let visitID = "0195a3c2-7d4e-7b1a-9f00-3c5e8a1b2d4f"

    /// A valid visit with three listed demands; tests change one thing in it.
    static func visit(_ changes: (inout [String: JSONValue]) -> Void = { _ in }) -> JSONValue {
        var fields: [String: JSONValue] = [
            "visit_id": .string(visitID.uppercased()),
            "visited_at": .string("2026-02-26T10:00:00+08:00"),
            "recorded_at": .string("2026-02-26T10:40:00+08:00"),
            "enterprise": .object([
                "name": .string("天津某某科技有限公司"), "uscc": .string("91120116MA07K3RD93"), "address": .string("滨海新区某路1号"),
            ]),
            "staff": .object(["id": .string("S1024"), "name": .string("李工"), "phone": .string("13912345678")]),
            "participants": .array([.string("张总"), .string("王经理")]),
            "notes": .string("走访了解企业经营情况。"),
            "demands": .array([
                .object(["text": .string("厂房用地规划许可进度"), "category": .string("土地"), "urgent": .bool(true)]),
                .object(["text": .string("高新技术企业认定辅导"), "category": .string("科技")]),
                .object(["text": .string("员工子女入学")]),
            ]),
            "attachments": .array([
                .object(["name": .string("现场照片1.jpg"), "media_type": .string("image/jpeg"), "content_base64": .string("/9j/4AAQ")]),
                .object(["name": .string("../会议纪要.pdf"), "media_type": .string("application/pdf"), "part": .string("doc1")]),
            ]),
        ]
        changes(&fields)
        return .object(fields)
    }

    func decodeOne(_ body: JSONValue, decoder: VisitDecoder = VisitDecoder()) throws -> VisitDecoder.VisitResult {
        let results = try decoder.decode(body).get()
        try #require(results.count == 1)
        return results[0]
    }

    func record(_ body: JSONValue) throws -> VisitRecord {
        guard case .valid(let record) = try decodeOne(body) else {
            Issue.record("expected a valid visit, got \(try decodeOne(body))")
            throw CancellationError()
        }
        return record
    }

    func errors(_ body: JSONValue, decoder: VisitDecoder = VisitDecoder()) throws -> [FieldError] {
        guard case .invalid(_, _, let errors) = try decodeOne(body, decoder: decoder) else {
            Issue.record("expected an invalid visit")
            return []
        }
        return errors
    }

    // MARK: Records and drafts

    @Test func visitWithThreeListedDemandsGivesThreeDraftsWithNumberedRefs() throws {
        let visit = try record(Self.visit())
        let drafts = VisitDecoder.drafts(for: visit)
        #expect(drafts.map(\.ref) == ["\(Self.visitID)#1", "\(Self.visitID)#2", "\(Self.visitID)#3"])
        #expect(drafts.map(\.description) == ["厂房用地规划许可进度", "高新技术企业认定辅导", "员工子女入学"])
        #expect(drafts.map(\.sourceCategory) == ["土地", "科技", nil])
        #expect(drafts.map(\.priority) == [.urgent, .normal, .normal])
    }

    @Test func draftsCarryVisitStaffAndEnterprise() throws {
        let visit = try record(Self.visit())
        let draft = try #require(VisitDecoder.drafts(for: visit).last)
        #expect(draft.reportedAt == Timestamp.parse("2026-02-26T10:00:00+08:00"))
        #expect(draft.requesterName == "李工")
        #expect(draft.requesterPhone == "13912345678")
        #expect(draft.requesterRole == "field_staff")
        #expect(draft.enterpriseName == "天津某某科技有限公司")
        #expect(draft.enterpriseUSCC == "91120116MA07K3RD93")
        #expect(draft.address == "滨海新区某路1号")
        #expect(draft.extra["visit_id"] == .string(Self.visitID))
        #expect(draft.extra["staff_id"] == .string("S1024"))
        #expect(draft.extra["participants"] == .array([.string("张总"), .string("王经理")]))
        #expect(draft.extra["recorded_at"] == .string("2026-02-26T10:40:00+08:00"))
        #expect(draft.extra["notes"] == .string("走访了解企业经营情况。"))
        #expect(draft.extra["demand_index"] == .number(3))
    }

    @Test func visitIDIsLowerCasedAndAttachmentsAreRead() throws {
        let visit = try record(Self.visit())
        #expect(visit.visitID == Self.visitID)
        #expect(!visit.demandsFromNotes)
        #expect(visit.attachments == [
            VisitAttachment(name: "现场照片1.jpg", mediaType: "image/jpeg", inline: Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10])),
            VisitAttachment(name: "会议纪要.pdf", mediaType: "application/pdf", part: "doc1"),
        ])
    }

    @Test func notesOnlyVisitSplitsNotesIntoDemands() throws {
        let visit = try record(Self.visit {
            $0["demands"] = nil
            $0["notes"] = .string("企业反映以下问题：\n一、用地指标紧张\n二、电力增容\n三、招工难")
        })
        #expect(visit.demandsFromNotes)
        #expect(visit.demands.map(\.text) == ["用地指标紧张", "电力增容", "招工难"])
        let drafts = VisitDecoder.drafts(for: visit)
        #expect(drafts.map(\.ref) == ["\(Self.visitID)#1", "\(Self.visitID)#2", "\(Self.visitID)#3"])
        #expect(drafts[0].extra["notes"] == nil)
        #expect(drafts[0].extra["notes_preamble"] == .string("企业反映以下问题："))
    }

    @Test(arguments: [
        "1、用地指标；2、电力增容",
        "1. 用地指标\n2. 电力增容",
        "一、用地指标\n二、电力增容",
        "（一）用地指标（二）电力增容",
        "①用地指标②电力增容",
        "(1)用地指标；(2)电力增容",
        "- 用地指标\n- 电力增容",
    ])
    func notesOnlyVisitSplitsInEachEnumerationStyle(notes: String) throws {
        let visit = try record(Self.visit { $0["demands"] = .array([]); $0["notes"] = .string(notes) })
        #expect(visit.demands.map(\.text) == ["用地指标", "电力增容"])
    }

    @Test func notesWithNumbersThatAreNoEnumerationGiveOneDemand() throws {
        let notes = "企业计划2026年3月1日开工第1期工程，总投资3.5亿元，希望协调电力增容。"
        let visit = try record(Self.visit { $0["demands"] = nil; $0["notes"] = .string(notes) })
        #expect(visit.demands == [VisitDemand(text: notes)])
    }

    @Test func lateRecordedAtIsNotAnError() throws {
        let visit = try record(Self.visit { $0["recorded_at"] = .string("2026-01-01T08:00:00+08:00") })
        #expect(visit.recordedAt == Timestamp.parse("2026-01-01T08:00:00+08:00"))
    }

    @Test func staffIDGivenAsNumberIsRead() throws {
        let visit = try record(Self.visit { $0["staff"] = .object(["id": .number(1024)]) })
        #expect(visit.staffID == "1024")
    }

    // MARK: Batches

    @Test func batchWithOneInvalidVisitKeepsTheOthersAndNamesTheBadFields() throws {
        let other = "0195a3c2-7d4e-7b1a-9f00-000000000002"
        let body = JSONValue.object(["visits": .array([
            Self.visit(),
            Self.visit { $0["visit_id"] = .string("0195a3c2-7d4e-7b1a-9f00-000000000001"); $0["visited_at"] = .string("26/02/2026"); $0["staff"] = nil },
            Self.visit { $0["visit_id"] = .string(other) },
        ])])
        let results = try VisitDecoder().decode(body).get()
        #expect(results.count == 3)
        guard case .valid(let first) = results[0], case .invalid(let index, let visitID, let errors) = results[1],
              case .valid(let third) = results[2] else {
            Issue.record("expected valid, invalid, valid; got \(results)")
            return
        }
        #expect(first.visitID == Self.visitID)
        #expect(third.visitID == other)
        #expect(index == 1)
        #expect(visitID == "0195a3c2-7d4e-7b1a-9f00-000000000001")
        #expect(Set(errors.map(\.field)) == ["/visits/1/visited_at", "/visits/1/staff"])
    }

    @Test func sameVisitTwiceInOneBatchRefusesTheSecond() throws {
        let results = try VisitDecoder().decode(.object(["visits": .array([Self.visit(), Self.visit()])])).get()
        guard case .invalid(1, Self.visitID, let errors) = results[1] else {
            Issue.record("expected the second visit refused, got \(results[1])")
            return
        }
        #expect(errors.map(\.field) == ["/visits/1/visit_id"])
    }

    @Test func bodyThatIsNotAnObjectFailsWhole() {
        #expect(throws: FieldError("/", "expected a JSON object, found array")) { try VisitDecoder().decode(.array([])).get() }
    }

    @Test func batchOverTheLimitFailsWhole() {
        let decoder = VisitDecoder(maxVisitsPerBatch: 2)
        let body = JSONValue.object(["visits": .array([Self.visit(), Self.visit(), Self.visit()])])
        guard case .failure(let error) = decoder.decode(body) else {
            Issue.record("expected the batch refused")
            return
        }
        #expect(error.field == "/visits")
    }

    @Test func emptyBatchFailsWhole() {
        #expect(VisitDecoder().decode(.object(["visits": .array([])])) == .failure(FieldError("/visits", "is empty")))
    }

    @Test func membersBesideVisitsFailTheBatchWhole() {
        let body = JSONValue.object(["visits": .array([Self.visit()]), "device": .string("T1")])
        guard case .failure(let error) = VisitDecoder().decode(body) else {
            Issue.record("expected the batch refused")
            return
        }
        #expect(error.field == "/device")
    }

    // MARK: Validation

    @Test func missingVisitIDIsAnError() throws {
        #expect(try errors(Self.visit { $0["visit_id"] = nil }).map(\.field) == ["/visit_id"])
    }

    @Test func visitIDThatIsNotAUUIDIsAnError() throws {
        let found = try errors(Self.visit { $0["visit_id"] = .string("visit-42") })
        #expect(found == [FieldError("/visit_id", "\"visit-42\" is not a UUID")])
    }

    @Test func missingVisitedAtIsAnError() throws {
        #expect(try errors(Self.visit { $0["visited_at"] = nil }) == [FieldError("/visited_at", "is required")])
    }

    @Test func visitedAtWithoutOffsetIsAnError() throws {
        #expect(try errors(Self.visit { $0["visited_at"] = .string("2026-02-26T10:00:00") }).map(\.field) == ["/visited_at"])
    }

    @Test func malformedRecordedAtIsAnError() throws {
        #expect(try errors(Self.visit { $0["recorded_at"] = .string("yesterday") }).map(\.field) == ["/recorded_at"])
    }

    @Test func missingStaffIDIsAnError() throws {
        #expect(try errors(Self.visit { $0["staff"] = .object(["name": .string("李工")]) }) == [FieldError("/staff/id", "is required")])
    }

    @Test func visitWithNeitherDemandsNorNotesIsAnError() throws {
        #expect(try errors(Self.visit { $0["demands"] = nil; $0["notes"] = .string("  ") }).map(\.field) == ["/demands"])
    }

    @Test func emptyDemandTextIsAnError() throws {
        let found = try errors(Self.visit { $0["demands"] = .array([.object(["text": .string(" ")]), .object(["category": .string("土地")])]) })
        #expect(found == [FieldError("/demands/0/text", "must not be empty"), FieldError("/demands/1/text", "is required")])
    }

    @Test func tooLongNotesAndDemandTextAreErrors() throws {
        let decoder = VisitDecoder(maxNotesCharacters: 10, maxDemandCharacters: 5)
        let found = try errors(Self.visit {
            $0["notes"] = .string(String(repeating: "字", count: 11))
            $0["demands"] = .array([.object(["text": .string("六个字的诉求")])])
        }, decoder: decoder)
        #expect(found.map(\.field) == ["/notes", "/demands/0/text"])
    }

    @Test func tooManyDemandsIsAnError() throws {
        let decoder = VisitDecoder(maxDemandsPerVisit: 2)
        #expect(try errors(Self.visit(), decoder: decoder).map(\.field) == ["/demands"])
    }

    @Test func notesEnumeratingTooManyDemandsIsAnError() throws {
        let decoder = VisitDecoder(maxDemandsPerVisit: 2)
        let found = try errors(Self.visit { $0["demands"] = nil; $0["notes"] = .string("①甲②乙③丙") }, decoder: decoder)
        #expect(found.map(\.field) == ["/notes"])
    }

    @Test func unknownFieldsAreRejectedWherever() throws {
        let found = try errors(Self.visit {
            $0["visted_at"] = .string("2026-02-26T10:00:00+08:00")
            $0["staff"] = .object(["id": .string("S1"), "mobile": .string("139")])
            $0["demands"] = .array([.object(["text": .string("用地"), "catgory": .string("土地")])])
        })
        #expect(Set(found.map(\.field)) == ["/visted_at", "/staff/mobile", "/demands/0/catgory"])
        #expect(found.allSatisfy { $0.message.hasPrefix("unknown field") })
    }

    @Test func wrongTypesAreErrors() throws {
        let found = try errors(Self.visit {
            $0["notes"] = .number(1)
            $0["participants"] = .array([.string("张总"), .bool(true)])
            $0["demands"] = .array([.object(["text": .string("用地"), "urgent": .string("yes")])])
        })
        #expect(Set(found.map(\.field)) == ["/notes", "/participants/1", "/demands/0/urgent"])
    }

    @Test func invalidBase64IsAnError() throws {
        let found = try errors(Self.visit {
            $0["attachments"] = .array([.object(["name": .string("a.jpg"), "content_base64": .string("not base64!")])])
        })
        #expect(found.map(\.field) == ["/attachments/0/content_base64"])
        #expect(found.first?.message.hasPrefix("is not valid base64: \" \" at offset 3") == false)
        #expect(found.first?.message.hasPrefix("is not valid base64") == true)
    }

    @Test func attachmentOverTheSizeLimitIsAnError() throws {
        let decoder = VisitDecoder(maxAttachmentBytes: 4)
        let found = try errors(Self.visit {
            $0["attachments"] = .array([.object(["name": .string("a.bin"), "content_base64": .string(Data(count: 64).base64EncodedString())])])
        }, decoder: decoder)
        #expect(found.map(\.field) == ["/attachments/0/content_base64"])
    }

    @Test func tooManyAttachmentsIsAnError() throws {
        let decoder = VisitDecoder(maxAttachmentsPerVisit: 1)
        #expect(try errors(Self.visit(), decoder: decoder).map(\.field) == ["/attachments"])
    }

    @Test func attachmentNeedsExactlyOneOfContentAndPart() throws {
        let found = try errors(Self.visit {
            $0["attachments"] = .array([
                .object(["name": .string("a.jpg")]),
                .object(["name": .string("b.jpg"), "content_base64": .string("AAAA"), "part": .string("photo2")]),
            ])
        })
        #expect(found.map(\.field) == ["/attachments/0", "/attachments/1"])
    }

    @Test func everyErrorOfAVisitIsReportedNotJustTheFirst() throws {
        let found = try errors(Self.visit {
            $0["visit_id"] = .string("x")
            $0["visited_at"] = nil
            $0["staff"] = nil
            $0["demands"] = nil
            $0["notes"] = nil
        })
        #expect(Set(found.map(\.field)) == ["/visit_id", "/visited_at", "/staff", "/demands"])
    }
}

@Suite struct VisitSchemaTests {
    @Test func visitSchemaShipsAsValidJSONRequiringTheDecodersFields() throws {
        let schema = try JSONParser.parse(Array(VisitSchema.data()))
        guard case .object(let top) = schema, case .object(let defs) = top["$defs"], case .object(let visit) = defs["visit"] else {
            Issue.record("schema has no $defs.visit")
            return
        }
        #expect(visit["required"] == .array([.string("visit_id"), .string("visited_at"), .string("staff")]))
        #expect(visit["additionalProperties"] == .bool(false))
        guard case .object(let properties) = visit["properties"] else {
            Issue.record("visit has no properties")
            return
        }
        #expect(Set(properties.keys) == ["visit_id", "visited_at", "recorded_at", "enterprise", "staff", "participants", "notes", "demands", "attachments"])
    }
}
