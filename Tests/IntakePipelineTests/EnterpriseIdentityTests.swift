import Testing
@testable import IntakePipeline

@Suite struct EnterpriseIdentityTests {
    @Test func cityPrefixBracketsAndBranchFoldToOneName() {
        let names = ["天津某某科技有限公司", "天津某某科技(有限公司)", "某某科技有限公司天津分公司",
                     "天津市某某科技有限公司", "某某科技（天津）有限公司", "【天津】某某科技股份有限公司", "某某 科技 有限责任公司"]
        for name in names { #expect(EnterpriseIdentity.normalizedName(name) == "某某科技", "\(name)") }
    }

    @Test func fullWidthAndCaseFold() {
        #expect(EnterpriseIdentity.normalizedName("ＡＢＣ科技有限公司") == "abc科技")
    }

    @Test func differentEnterprisesStayApart() {
        #expect(EnterpriseIdentity.normalizedName("天津华泰精密机械有限公司") != EnterpriseIdentity.normalizedName("天津华泰电子有限公司"))
    }

    @Test func tooShortNamesGiveNoKey() {
        #expect(EnterpriseIdentity.normalizedName("有限公司") == nil)
        #expect(EnterpriseIdentity.normalizedName("（）") == nil)
    }

    @Test func keysArePrefixedAndOnlyForValidIdentities() {
        let keys = EnterpriseIdentity.keys(
            uscc: "91120116MA05XXXX1X", usccValid: true, name: "天津某某科技有限公司",
            phone: "138 0000 1234", email: " Info@Example.COM ")
        #expect(keys == ["uscc:91120116MA05XXXX1X", "name:某某科技", "phone:+8613800001234", "email:info@example.com"])
        let weak = EnterpriseIdentity.keys(uscc: "123", usccValid: false, name: nil, phone: "12345", email: "none")
        #expect(weak.isEmpty)
    }
}
