import IntakePipeline
import Testing

@Suite struct DemandSplitterTests {
    @Test func arabicWithEnumerationCommaSplits() {
        #expect(DemandSplitter.split("1、厂房用地规划许可进度；2、高新技术企业认定；3、员工子女入学") == [
            "厂房用地规划许可进度", "高新技术企业认定", "员工子女入学",
        ])
    }

    @Test func arabicWithDotSplitsOnSeparateLines() {
        #expect(DemandSplitter.split("1. 申请技改补贴\n2. 协调电力增容\n3. 办理环评") == ["申请技改补贴", "协调电力增容", "办理环评"])
    }

    @Test func fullWidthDotSplits() {
        #expect(DemandSplitter.split("１．融资担保 ２．人才公寓") == ["融资担保", "人才公寓"])
    }

    @Test func chineseNumeralsSplitUpToTwentyAndBeyond() {
        let notes = (1...21).map { "\(chinese($0))、诉求\($0)" }.joined(separator: "\n")
        let items = DemandSplitter.split(notes)
        #expect(items.count == 21)
        #expect(items.first == "诉求1")
        #expect(items[19] == "诉求20")
        #expect(items.last == "诉求21")
    }

    @Test func parenthesisedChineseNumeralsSplitInBothWidths() {
        #expect(DemandSplitter.split("（一）用地指标（二）排污许可") == ["用地指标", "排污许可"])
        #expect(DemandSplitter.split("（一）用地指标；（二）排污许可") == ["用地指标", "排污许可"])
        #expect(DemandSplitter.split("(一) 用地指标\n(二) 排污许可") == ["用地指标", "排污许可"])
    }

    @Test func circledDigitsSplitEvenWithoutSeparators() {
        #expect(DemandSplitter.split("①土地证办理②银行贷款③招工难") == ["土地证办理", "银行贷款", "招工难"])
    }

    @Test func parenthesisedArabicSplitsInBothWidthsAndMixed() {
        #expect(DemandSplitter.split("(1) 物流补贴 (2) 道路维修") == ["物流补贴", "道路维修"])
        #expect(DemandSplitter.split("（1）物流补贴；(2)道路维修") == ["物流补贴", "道路维修"])
    }

    @Test func lineLeadingBulletsSplit() {
        #expect(DemandSplitter.split("- 用水价格\n- 停车位不足") == ["用水价格", "停车位不足"])
        #expect(DemandSplitter.split("• 用水价格\n• 停车位不足") == ["用水价格", "停车位不足"])
        #expect(DemandSplitter.split("·用水价格\n·停车位不足") == ["用水价格", "停车位不足"])
    }

    @Test func preambleIsNotADemandButIsKeptAsContext() {
        let parts = DemandSplitter.parts("企业反映以下问题：\n1、用地审批慢\n2、融资难")
        #expect(parts.items == ["用地审批慢", "融资难"])
        #expect(parts.preamble == "企业反映以下问题：")
    }

    @Test func datesPeriodsAndAmountsAreNotEnumerations() {
        let notes = "企业计划2026年3月1日开工第1期工程，总投资3.5亿元，建筑面积1.2万平方米，已通过ISO 9001认证，联系电话13912345678。"
        #expect(DemandSplitter.split(notes) == [notes])
    }

    @Test func decimalsAfterWhitespaceAreNotDotMarkers() {
        let notes = "年产值 1.5亿元，计划 2.0版扩建"
        #expect(DemandSplitter.split(notes) == [notes])
    }

    @Test func enumerationMustStartAtOne() {
        let notes = "见 2、3、4号楼的情况；另外 5、6号楼"
        #expect(DemandSplitter.split(notes) == [notes])
    }

    @Test func enumerationMustIncreaseByOne() {
        let notes = "1、电力增容\n3、道路"
        #expect(DemandSplitter.split(notes) == [notes])
    }

    @Test func parenthesisedNumberAfterASCIIIsNotAMarker() {
        let notes = "按表A(1)和表A(2)填报"
        #expect(DemandSplitter.split(notes) == [notes])
    }

    @Test func numbersGluedToWordsAreNotMarkers() {
        let notes = "涉及1、2号楼和统一、规范的管理"
        #expect(DemandSplitter.split(notes) == [notes])
    }

    @Test func noteWithoutEnumerationIsOneTrimmedDemand() {
        #expect(DemandSplitter.split("  企业希望协调解决厂区门前道路积水问题。 \n") == ["企业希望协调解决厂区门前道路积水问题。"])
    }

    @Test func blankNoteGivesNoDemand() {
        #expect(DemandSplitter.split(" \n ").isEmpty)
    }

    @Test func nestedEnumerationSplitsOnTheOuterLevelOnly() {
        let items = DemandSplitter.split("1、资金方面：（1）贷款贴息（2）担保费补贴\n2、用工方面：招工难")
        #expect(items == ["资金方面：（1）贷款贴息（2）担保费补贴", "用工方面：招工难"])
    }

    @Test func chineseOuterLevelKeepsArabicSubItems() {
        let items = DemandSplitter.split("一、土地\n1、用地指标\n2、规划调整\n二、人才\n1、公寓")
        #expect(items == ["土地\n1、用地指标\n2、规划调整", "人才\n1、公寓"])
    }

    @Test func aLoneFirstMarkerIsNotAnEnumeration() {
        let notes = "1、企业希望尽快办理土地证"
        #expect(DemandSplitter.split(notes) == [notes])
    }

    private func chinese(_ number: Int) -> String {
        let digits = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
        if number < 10 { return digits[number] }
        return (number / 10 == 1 ? "" : digits[number / 10]) + "十" + digits[number % 10]
    }
}
