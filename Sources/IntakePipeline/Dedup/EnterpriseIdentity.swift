import IntakeCore

/// The blocking keys of a case: the identities under which two cases count as "the same
/// enterprise" for deduplication. Two cases are candidates for each other when they share a
/// key; the store indexes these strings.
///
/// - `uscc:` + the code upper-cased, only when the check digit is valid (an invalid code is
///   often a typo and would block two different enterprises together, or miss the same one).
/// - `name:` + `normalizedName(_:)`.
/// - `phone:` + E.164, only when the number is recognised (short codes such as 12345 are the
///   hotline itself, not the requester).
/// - `email:` + the address lower-cased.
public enum EnterpriseIdentity {
    public static func keys(uscc: String?, usccValid: Bool, name: String?, phone: String?, email: String?) -> [String] {
        var keys: [String] = []
        if let uscc, usccValid {
            let code = TextNormalizer.line(uscc).uppercased().filter { !$0.isWhitespace }
            if !code.isEmpty { keys.append("uscc:" + code) }
        }
        if let name, let normalized = normalizedName(name) { keys.append("name:" + normalized) }
        if let phone, let e164 = PhoneNumber(phone, defaultAreaCode: "").e164 { keys.append("phone:" + e164) }
        if let email {
            let address = TextNormalizer.line(email).lowercased().filter { !$0.isWhitespace }
            if address.contains("@"), address.count >= 3 { keys.append("email:" + address) }
        }
        return keys
    }

    /// The name reduced to what distinguishes the enterprise, or nil when nothing is left.
    ///
    /// 1. `TextNormalizer.matchingLine` (NFC, full-width folded, traditional as simplified), lower-cased.
    /// 2. A bracketed part that is a place (`某某（天津）科技有限公司`) is dropped; other brackets
    ///    (（）()【】[]〔〕) are dropped and their content kept (`天津某某科技(有限公司)`).
    /// 3. Spaces, punctuation and symbols dropped.
    /// 4. Legal-form suffixes dropped from the end, repeatedly (`legalSuffixes`); a branch
    ///    (`…分公司`, `…分厂`, `…办事处`) is folded into its parent, and a place right before
    ///    the branch word goes with it: `某某科技有限公司天津分公司` → `某某科技`.
    /// 5. A leading place (`天津市`, `天津`, `天津市滨海新区`) dropped: `天津某某科技有限公司` → `某某科技`.
    ///
    /// Branch and parent, and the same name with or without its city, are deliberately the
    /// same key: requesters write the name the way they say it. Two enterprises that differ
    /// only in their city prefix share a key; the text must still match for a duplicate.
    /// If a step would leave fewer than 2 characters, that step is undone.
    public static func normalizedName(_ name: String) -> String? {
        var scalars = Array(TextNormalizer.matchingLine(name).lowercased().unicodeScalars)
        scalars = dropBracketedPlaces(scalars)
        var text = String(String.UnicodeScalarView(scalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }))
        // A bare legal form ("有限公司") names nobody.
        guard !text.isEmpty, !legalSuffixes.contains(text), !branchSuffixes.contains(text) else { return nil }

        var changed = true
        while changed {
            changed = false
            for suffix in branchSuffixes where text.hasSuffix(suffix) {
                var stem = String(text.dropLast(suffix.count))
                if let place = places.first(where: { stem.hasSuffix($0) }) { stem = String(stem.dropLast(place.count)) }
                if stem.count >= 2 { text = stem; changed = true }
                break
            }
            for suffix in legalSuffixes where text.hasSuffix(suffix) && text.count - suffix.count >= 2 {
                text = String(text.dropLast(suffix.count))
                changed = true
                break
            }
        }
        if let place = places.first(where: { text.hasPrefix($0) }), text.count - place.count >= 2 {
            text = String(text.dropFirst(place.count))
        }
        return text.count >= 2 ? text : nil
    }

    /// Legal forms, longest first so the longer form goes as a whole.
    public static let legalSuffixes: [String] = [
        "股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "股份公司",
        "集团公司", "总公司", "合伙企业", "个人独资企业", "有限合伙", "普通合伙",
        "集团", "公司", "工作室", "个体工商户", "co.,ltd", "coltd", "ltd", "inc",
    ].sorted { $0.count > $1.count }

    static let branchSuffixes: [String] = ["分公司", "分厂", "分店", "办事处", "营业部", "分部", "分中心"]

    /// Places dropped as a prefix, inside brackets, or before a branch word: Tianjin (the
    /// deployment's city) with its districts, and the other municipalities and large cities
    /// that commonly appear in names. Longest first (`天津市滨海新区` before `天津市` before `天津`).
    public static let places: [String] = {
        let cities = ["天津", "北京", "上海", "重庆", "河北", "石家庄", "廊坊", "唐山", "沧州", "济南", "青岛",
                      "沈阳", "大连", "广州", "深圳", "杭州", "南京", "苏州", "武汉", "成都", "西安"]
        let tianjinDistricts = ["滨海新区", "和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区",
                                "西青区", "津南区", "北辰区", "武清区", "宝坻区", "宁河区", "静海区", "蓟州区"]
        var all: [String] = []
        for city in cities {
            all += [city, city + "市", city + "省"]
            if city == "天津" { for district in tianjinDistricts { all += [city + district, city + "市" + district] } }
        }
        all += tianjinDistricts
        return all.sorted { $0.count > $1.count }
    }()

    private static let opening: Set<UInt32> = [0x28, 0xFF08, 0x3010, 0x5B, 0x3014]
    private static let closing: Set<UInt32> = [0x29, 0xFF09, 0x3011, 0x5D, 0x3015]

    private static func dropBracketedPlaces(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        var index = 0
        while index < scalars.count {
            if opening.contains(scalars[index].value),
               let end = scalars[(index + 1)...].firstIndex(where: { closing.contains($0.value) }) {
                let inner = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                if places.contains(inner) {
                    index = end + 1
                    continue
                }
            }
            output.append(scalars[index])
            index += 1
        }
        return output
    }
}
