import Foundation
import IntakeChannels
import IntakePipeline
import Testing

private func fixture(_ name: String) throws -> MIMEMessage {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/email/\(name).eml")
    return MIMEParser.parse(try Data(contentsOf: url))
}

private func headersOnly(_ lines: [String]) -> MIMEMessage {
    MIMEParser.parse(Data((lines.joined(separator: "\r\n") + "\r\n\r\nbody").utf8))
}

@Suite struct EmailTriageTests {
    @Test func autoReplyIsIgnoredNamingTheHeader() throws {
        #expect(EmailTriage.ignoreReason(try fixture("auto_reply")) == "Auto-Submitted: auto-replied")
    }

    @Test func bounceFromMailerDaemonIsIgnored() throws {
        #expect(EmailTriage.ignoreReason(try fixture("bounce")) == "From: Mail Delivery System <MAILER-DAEMON@mx.zone.example.gov.cn>")
    }

    @Test(arguments: [
        ("Auto-Submitted: auto-generated; owner-email=\"a@example.cn\"", "Auto-Submitted: auto-generated; owner-email=\"a@example.cn\""),
        ("X-Autoreply: yes", "X-Autoreply: yes"),
        ("X-Autorespond: 休假中", "X-Autorespond: 休假中"),
        ("Precedence: Bulk", "Precedence: bulk"),
        ("Precedence: junk", "Precedence: junk"),
        ("Precedence: list", "Precedence: list"),
        ("List-Unsubscribe: <mailto:leave@example.cn>", "List-Unsubscribe: <mailto:leave@example.cn>"),
        ("X-Loop: intake@zone.example.gov.cn", "X-Loop: intake@zone.example.gov.cn"),
        ("From: postmaster@example.cn", "From: postmaster@example.cn"),
        ("Return-Path: < >", "Return-Path: <>"),
        ("Content-Type: multipart/report; report-type=delivery-status; boundary=r", "Content-Type: multipart/report"),
    ])
    func noiseHeadersAreIgnoredWithTheirReason(header: String, reason: String) {
        #expect(EmailTriage.ignoreReason(headersOnly([header, "From: someone@example.cn"])) == reason)
    }

    @Test(arguments: ["Auto-Submitted: no", "Precedence: first-class", "Return-Path: <zhang@example.cn>"])
    func ordinaryHeadersAreNotNoise(header: String) {
        #expect(EmailTriage.ignoreReason(headersOnly(["From: zhang@example.cn", header])) == nil)
    }

    @Test(arguments: ["plain_utf8", "reply_outlook", "case_token", "attachments"])
    func requestsAreNotIgnored(name: String) throws {
        #expect(EmailTriage.ignoreReason(try fixture(name)) == nil)
    }

    @Test(arguments: [
        "[案件 0a1b2c3d4e5f] 厂房用地",
        "回复：【案件 0A1B2C3D4E5F】厂房用地规划许可进度咨询",
        "Re: [案件0a1b2c3d4e5f]",
        "Re:[ 案件 0a1b2c3d4e5f ] x",
        "［案件 0a1b2c3d4e5f］",
        "Fwd: [Case 0A1B2C3D4E5F] land",
        "[CASE 0a1b2c3d4e5f]",
        "[note] [案件 0a1b2c3d4e5f]",
    ])
    func caseTokenIsFoundInItsForms(subject: String) {
        #expect(EmailTriage.caseToken(inSubject: subject) == "0a1b2c3d4e5f")
    }

    @Test(arguments: ["[案件 0a1b2c3d4e5]", "[案件 0a1b2c3d4e5f0]", "[案件 0a1b2c3d4e5g]", "案件 0a1b2c3d4e5f", "[项目 0a1b2c3d4e5f]", "[案件 0a1b2c3d4e5f", ""])
    func malformedCaseTokensAreNotTokens(subject: String) {
        #expect(EmailTriage.caseToken(inSubject: subject) == nil)
    }

    @Test func tokenSubjectCarriesTheLastTwelveHexDigitsOfTheCaseID() {
        let subject = EmailTriage.tokenSubject(caseID: "01950F3E-7C2A-7B3D-9A1B-0A1B2C3D4E5F", subject: "厂房用地规划许可进度咨询")
        #expect(subject == "[案件 0a1b2c3d4e5f] 厂房用地规划许可进度咨询")
        #expect(EmailTriage.caseToken(inSubject: subject) == "0a1b2c3d4e5f")
    }

    @Test func tokenSubjectReplacesATokenAlreadyThere() {
        let subject = EmailTriage.tokenSubject(caseID: "01950f3e-7c2a-7b3d-9a1b-0a1b2c3d4e5f", subject: "Re: 【案件 ffffffffffff】 咨询")
        #expect(subject == "[案件 0a1b2c3d4e5f] Re: 咨询")
    }

    @Test func draftOfAPlainRequestFindsRequesterAndEnterprise() throws {
        let draft = EmailTriage.draft(try fixture("plain_utf8"))
        #expect(draft.ref == "plain-utf8-0001@example.cn")
        #expect(draft.reportedAt == Date(timeIntervalSince1970: 1_772_068_385))
        #expect(draft.requesterName == "张先生")
        #expect(draft.requesterEmail == "zhang.san@example.cn")
        #expect(draft.requesterPhone == "138 1234 5678")
        #expect(draft.enterpriseName == "天津某某科技有限公司")
        #expect(draft.enterpriseUSCC == "91120116MA07K3RD93")
        #expect(draft.subject == "厂房用地规划许可进度咨询")
        #expect(draft.description == "您好：\n我公司想咨询厂房用地规划许可的办理进度。\n公司名称：天津某某科技有限公司\n统一社会信用代码：91120116MA07K3RD93\n联系电话：138 1234 5678\n\n张先生")
        #expect(draft.attachments.isEmpty)
    }

    @Test func draftOfAnOutlookReplyTrimsQuotedHistoryAndReplyPrefix() throws {
        let message = try fixture("reply_outlook")
        #expect(message.inReplyTo == ["ack-0001@zone.example.gov.cn"])
        #expect(message.references == ["plain-utf8-0001@example.cn", "ack-0001@zone.example.gov.cn"])
        let draft = EmailTriage.draft(message)
        #expect(draft.subject == "厂房用地规划许可进度咨询")
        #expect(draft.description == "补充一下：厂房面积约 3000 平方米。\n手机：+86 139 8765 4321")
        // The zone's own number in the quoted history is not the requester's.
        #expect(draft.requesterPhone == "+86 139 8765 4321")
    }

    @Test func draftOfATokenReplyTrimsTheWroteLineAndTheToken() throws {
        let draft = EmailTriage.draft(try fixture("case_token"))
        #expect(draft.subject == "厂房用地规划许可进度咨询")
        #expect(draft.description == "收到，谢谢。")
    }

    @Test(arguments: [
        "好的。\n\nOn Thu, Feb 26, 2026 at 10:02 AM Service <service@zone.example.gov.cn> wrote:\n> 已受理",
        "好的。\nOn Thu, Feb 26, 2026 at 10:02 AM Service <service@zone.example.gov.cn>\nwrote:\n已受理",
        "好的。\n-----Original Message-----\nFrom: service@zone.example.gov.cn\n已受理",
        "好的。\n------------------ 原始邮件 ------------------\n发件人: \"区政务服务中心\"<service@zone.example.gov.cn>;\n已受理",
        "好的。\n----- 原始邮件 -----\n已受理",
        "好的。\n-----邮件原件-----\n已受理",
        "好的。\n________________________________\nFrom: Service <service@zone.example.gov.cn>\nSent: Thursday, February 26, 2026 10:02 AM\n已受理",
        "好的。\n发件人：区政务服务中心\n发送时间：2026-02-26 10:02\n收件人：张先生\n已受理",
        "> 已受理\n好的。",
    ])
    func quotedHistoryIsTrimmedFromTheDescription(text: String) {
        #expect(EmailTriage.draft(MIMEMessage(text: text)).description == "好的。")
    }

    @Test func forwardedContentIsNotTrimmed() {
        let text = "请看下面的通知。\n---------- Forwarded message ---------\n通知内容"
        #expect(EmailTriage.draft(MIMEMessage(text: text)).description == text)
    }

    @Test func trimmingThatWouldLeaveNothingKeepsTheWholeText() {
        let text = "> 只有引用\n> 没有新内容"
        #expect(EmailTriage.draft(MIMEMessage(text: text)).description == text)
    }

    @Test func emptyTextFallsBackToTheSubjectThenToAPlaceholder() {
        #expect(EmailTriage.draft(MIMEMessage(subject: "Re: 厂房咨询", text: "")).description == "厂房咨询")
        let empty = EmailTriage.draft(MIMEMessage(text: " \n"))
        #expect(empty.description == "(no text)")
        #expect(empty.subject == nil)
    }

    @Test(arguments: [
        ("电话：022-66290000", "022-66290000"),
        ("座机 (022) 6629 0000 转 8", "(022) 6629 0000"),
        ("手机+86 13812345678。", "+86 13812345678"),
        ("订单 GD20260226001，日期 2026-02-26，手机 138-1234-5678", "138-1234-5678"),
        ("身份证 120101199001011234，电话 13912345678", "13912345678"),
        ("热线 400-123-4567", "400-123-4567"),
    ])
    func phoneNumberIsTheFirstRealNumberInTheText(text: String, phone: String) {
        #expect(EmailTriage.draft(MIMEMessage(text: text)).requesterPhone == phone)
    }

    @Test(arguments: [
        ("联系电话：１３８ １２３４ ５６７８", "138 1234 5678"),
        ("电话：０２２－６６２９００００", "022-66290000"),
        ("手机＋８６　１３８１２３４５６７８。", "+86 13812345678"),
    ])
    func fullWidthDigitsAreFoundAsAPhoneNumber(text: String, phone: String) {
        #expect(EmailTriage.draft(MIMEMessage(text: text)).requesterPhone == phone)
    }

    @Test(arguments: ["面积 3000 平方米，2026年2月26日", "编号 12345678", "代码 91120116MA07K3RD93"])
    func textWithoutAPhoneNumberHasNone(text: String) {
        #expect(EmailTriage.draft(MIMEMessage(text: text)).requesterPhone == nil)
    }

    @Test func invalidUSCCIsSkippedForTheFirstValidOne() {
        let draft = EmailTriage.draft(MIMEMessage(text: "旧代码 91120116MA07K3RD94，新代码 91120116ma07k3rd93"))
        #expect(draft.enterpriseUSCC == "91120116MA07K3RD93")
    }

    @Test(arguments: [
        ("企业名称：天津某某科技有限公司", "天津某某科技有限公司"),
        ("单位: 滨海新区某某厂", "滨海新区某某厂"),
        ("  公司名称 ： 某某集团  ", "某某集团"),
    ])
    func enterpriseNameComesFromALabelledLine(text: String, name: String) {
        #expect(EmailTriage.draft(MIMEMessage(text: "您好\n" + text + "\n谢谢")).enterpriseName == name)
    }

    @Test(arguments: [
        ("企业名称：天津某某科技有限公司。申请人才公寓配租，请告知流程。", "天津某某科技有限公司"),
        ("企业名称：天津某某科技有限公司申请人才公寓配租，请告知流程。", "天津某某科技有限公司"),
        ("单位：某某集团有限公司天津分公司；联系人张先生", "某某集团有限公司天津分公司"),
        ("单位：滨海新区某某厂厂房漏水", "滨海新区某某厂"),
        ("公司名称：Tianjin Example Technology Co., Ltd.", "Tianjin Example Technology Co., Ltd."),
    ])
    func enterpriseNameEndsWhereTheNameEnds(text: String, name: String) {
        #expect(EmailTriage.draft(MIMEMessage(text: text + "\r\n谢谢")).enterpriseName == name)
    }

    @Test(arguments: [
        ("Fwd: 厂房用地", "厂房用地"),
        ("FWD：厂房用地", "厂房用地"),
        ("Fw: 厂房用地", "厂房用地"),
        ("Re: Fwd: 回复：厂房用地", "厂房用地"),
        ("Fwd[2]: 厂房用地", "厂房用地"),
        ("Fwdx: 厂房用地", "Fwdx: 厂房用地"),
    ])
    func replyAndForwardPrefixesAreRemovedFromTheSubject(subject: String, cleaned: String) {
        #expect(EmailTriage.draft(MIMEMessage(subject: subject, text: "请问进度")).subject == cleaned)
    }
}
