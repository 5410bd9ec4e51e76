import Foundation
import IntakeCore
import Testing

@Suite struct CaseEncodingTests {
    func fullCase() -> IntakeCase {
        var value = IntakeCase(
            id: UUIDv7.generate(), channel: .hotline, source: "hotline-teda", ref: "GD-2026-0001",
            receivedAt: "2026-02-26T09:13:05+08:00", rawSHA256: String(repeating: "ab", count: 32),
            reportedAt: "2026-02-26T09:00:00+08:00",
            requester: Requester(name: "张先生", phone: "+8613812345678", email: "zhang@example.cn", role: "法人"),
            enterprise: Enterprise(name: "天津某某科技有限公司", uscc: USCC("91120116MA07K3RD93")),
            subject: "用地\"规划\"", description: "第一行\n第二行\t\\ 结束", category: Category(code: "land", label: "土地", by: .source),
            department: "规划和自然资源局", dueAt: "2026-03-05T17:00:00+08:00", priority: .urgent,
            location: Location(address: "第三大街 1 号", district: "泰达"),
            attachments: [Attachment(sha256: String(repeating: "cd", count: 32), name: "申请表.pdf", mediaType: "application/pdf", size: 1234)],
            extra: ["来电时长": .number(125), "标签": .array([.string("a"), .null, .bool(true)]), "nested": .object(["k": .number(0.5)])])
        value.duplicateOf = UUIDv7.generate()
        value.similarity = 0.875
        value.possibleDuplicateOf = UUIDv7.generate()
        value.followupOf = UUIDv7.generate()
        return value
    }

    @Test func theHandWrittenEncodingDecodesToTheSameCase() throws {
        for value in [fullCase(), IntakeCase(id: "x", channel: .webhook, source: "s", ref: "r", receivedAt: "t", rawSHA256: "h", description: "d")] {
            let decoded = try JSONDecoder().decode(IntakeCase.self, from: value.encoded())
            #expect(decoded == value)
        }
    }

    @Test func theEncodingMatchesJSONEncoderMemberForMember() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let reference = try JSONSerialization.jsonObject(with: encoder.encode(fullCase())) as! NSDictionary
        let ours = try JSONSerialization.jsonObject(with: fullCase().encoded()) as! NSDictionary
        #expect(ours.allKeys.count == reference.allKeys.count)
        #expect(Set(ours.allKeys.map { "\($0)" }) == Set(reference.allKeys.map { "\($0)" }))
    }
}
