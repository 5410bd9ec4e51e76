import IntakeCore
import Testing

/// Traditional characters read as simplified (OpenCC t2s), for matching only.
@Suite struct ChineseScriptTests {
    @Test func openCCIsThere() {
        #expect(ChineseScript.isAvailable, "OpenCC or its t2s.json is missing: scripts/install-deps.sh installs libopencc-dev")
    }

    @Test func traditionalTextIsReadAsSimplified() {
        #expect(ChineseScript.simplified("我司廠房用地規劃許可已提交兩個月，請問目前進度如何？") == "我司厂房用地规划许可已提交两个月，请问目前进度如何？")
        #expect(ChineseScript.simplified("臺灣資訊產業園區") == "台湾资讯产业园区")
    }

    @Test func simplifiedAndOtherTextIsReturnedUnchanged() {
        let text = "我司厂房用地规划许可已提交两个月，请问目前进度如何？ABC 123 😀"
        #expect(ChineseScript.simplified(text) == text)
        #expect(ChineseScript.simplified("") == "")
    }
}
