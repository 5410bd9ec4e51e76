import IntakeCore

/// Requester details written in an email's text: a phone number, a USCC, an enterprise name.
enum EmailTextFinder {
    /// The first mainland mobile, landline or 400/800 number, as written ("138 1234 5678",
    /// "022-66290000", "+86 138…"). Digit groups are never split: a number must be whole
    /// groups joined by single spaces, dashes or brackets, so dates and ids are not taken.
    /// Full-width digits and brackets ("１３８ １２３４ ５６７８") are read through
    /// `TextNormalizer`, which folds them to ASCII: the number comes back in ASCII digits.
    static func phoneNumber(in text: String) -> String? {
        let characters = Array(TextNormalizer.foldedBlock(text))
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let startsNumber = character.isASCIIDigit || ((character == "+" || character == "(" || character == "（")
                && index + 1 < characters.count && characters[index + 1].isASCIIDigit)
            guard startsNumber, index == 0 || !(characters[index - 1].isASCIIDigit || characters[index - 1].isASCIILetter) else {
                index += 1
                continue
            }
            // Try the longest run of groups first, then shorter ones.
            let candidates = runs(characters, from: index)
            for candidate in candidates.reversed() {
                if PhoneNumber(candidate, defaultAreaCode: "").e164 != nil {
                    return candidate.trimmingWhitespace()
                }
            }
            index = candidates.isEmpty ? index + 1 : index + max(1, (candidates.first?.count ?? 1))
        }
        return nil
    }

    /// Prefixes of the number-like run at `start` that end after a whole digit group.
    private static func runs(_ characters: [Character], from start: Int) -> [String] {
        var results: [String] = []
        var current = ""
        var index = start
        var digits = 0
        var separatorRun = 0
        while index < characters.count, digits <= 15 {
            let character = characters[index]
            if character.isASCIIDigit {
                current.append(character)
                digits += 1
                separatorRun = 0
                let next = index + 1 < characters.count ? characters[index + 1] : " "
                if !next.isASCIIDigit {
                    if next.isASCIILetter { break }
                    results.append(current.replacingFullWidthBrackets())
                }
            } else if character == "+", current.isEmpty {
                current.append(character)
            } else if " -()（）".contains(character), separatorRun < 2 {
                current.append(character)
                separatorRun += 1
            } else {
                break
            }
            index += 1
        }
        return results
    }

    /// The first 18-character run of ASCII letters and digits that is a valid USCC.
    static func uscc(in text: String) -> String? {
        var run = ""
        for character in text + " " {
            if character.isASCIIDigit || character.isASCIILetter {
                run.append(character)
                continue
            }
            if run.count == 18, USCC(run).isValid { return run.uppercased() }
            run = ""
        }
        return nil
    }

    private static let nameLabels = ["公司名称", "企业名称", "单位名称", "公司", "企业", "单位"]

    /// The value of a line such as "公司名称：天津某某科技有限公司" or "单位: …", up to the
    /// end of the name, for the line often runs on into the request itself
    /// ("企业名称：天津某某科技有限公司。申请人才公寓配租，请告知流程。"):
    /// 1. the name ends at the first clause or sentence punctuation (`nameEnds`; an ASCII
    ///    comma only before Chinese text, as "Co., Ltd." has one inside the name);
    /// 2. within that, when an organisation suffix (`organisationSuffixes`) occurs, the name
    ///    ends after the last one: a branch ("某某有限公司天津分公司") keeps its whole name,
    ///    while words run on after it without punctuation ("…有限公司申请人才公寓") are dropped.
    /// Without a suffix, what rule 1 leaves is the name.
    static func enterpriseName(in text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingWhitespace()
            guard let colon = trimmed.firstIndex(where: { $0 == ":" || $0 == "：" }) else { continue }
            let label = trimmed[..<colon].filter { !$0.isWhitespace }
            guard nameLabels.contains(String(label)) else { continue }
            let value = trimmed[trimmed.index(after: colon)...].trimmingWhitespace()
            let name = nameWithinClause(Substring(value))
            if !name.isEmpty { return name }
        }
        return nil
    }

    /// Not the ASCII full stop: "Co., Ltd." ends with one.
    private static let nameEnds: Set<Character> = ["。", "；", "，", "、", "！", "？", "：", ";", "!", "?"]
    /// Suffixes that end an organisation's name; "厂房"/"厂区" (a plant's buildings, common in
    /// these requests) are words, not the suffix 厂.
    private static let organisationSuffixes = ["公司", "集团", "厂", "中心", "研究院", "研究所", "事务所", "合作社", "商行", "经营部", "工作室"]
    private static let wordsStartingWithSuffix = ["厂房", "厂区"]

    private static func nameWithinClause(_ value: Substring) -> String {
        var end = value.endIndex
        var index = value.startIndex
        while index < value.endIndex {
            let next = value.index(after: index)
            let character = value[index]
            if nameEnds.contains(character) || (character == "," && next < value.endIndex && !value[next].isASCII) {
                end = index
                break
            }
            index = next
        }
        let clause = value[..<end]
        var nameEnd: String.Index?
        for suffix in organisationSuffixes {
            var searchStart = clause.startIndex
            while let range = clause[searchStart...].range(of: suffix) {
                let isWord = wordsStartingWithSuffix.contains { clause[range.lowerBound...].hasPrefix($0) }
                if !isWord, range.upperBound > (nameEnd ?? clause.startIndex) { nameEnd = range.upperBound }
                searchStart = range.upperBound
            }
        }
        return String(clause[..<(nameEnd ?? clause.endIndex)]).trimmingWhitespace()
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isASCIILetter: Bool { isASCII && isLetter }
}

extension String {
    fileprivate func replacingFullWidthBrackets() -> String {
        String(map { $0 == "（" ? "(" : $0 == "）" ? ")" : $0 })
    }
}
