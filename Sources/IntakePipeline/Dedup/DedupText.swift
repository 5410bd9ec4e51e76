import IntakeCore

/// Text normalisation for similarity, not for display: what two wordings of the same demand
/// have in common once the parts that vary without meaning are gone.
///
/// Steps, in order: `TextNormalizer.matchingLine` (NFC, full-width ASCII folded, whitespace
/// folded, traditional characters as simplified);
/// lower-case; every character that is not a letter or a digit dropped (punctuation, symbols,
/// whitespace, emoji); then the phrases in `boilerplate` removed. Boilerplate is removed after
/// punctuation so that "请尽快，处理" and "请尽快处理" fold alike. Contact details go too
/// (e-mail addresses as they are read, phone numbers by `removePhoneNumbers`, their labels as
/// boilerplate): they are identity, which deduplication compares by key, and a signature line
/// must not make a re-sent demand look edited.
public enum DedupText {
    /// Greetings, salutations and closing formulas that requesters add or leave out freely.
    /// Longest first where one contains another (请尽快处理 before 请尽快), so the longer
    /// phrase goes as a whole. Only phrases that carry no subject matter belong here:
    /// "尽快" alone stays, because "尽快审批" and "审批" are different demands in tone only
    /// and removing a lone "尽快" would also cut words like "尽快速".
    public static let boilerplate: [String] = [
        // Salutations
        "尊敬的各位领导", "尊敬的相关领导", "尊敬的领导", "尊敬的工作人员", "尊敬的",
        "各位领导", "领导们好", "领导好", "老师好", "您好", "你好", "大家好",
        // Requests for speed and courtesy formulas
        "请尽快处理为盼", "请尽快处理", "请尽快解决", "请尽快答复", "请尽快回复", "请尽快",
        "烦请尽快", "望尽快", "盼复", "望回复", "请回复",
        // Thanks and closings
        "非常感谢", "十分感谢", "万分感谢", "感谢", "谢谢您", "谢谢",
        "此致敬礼", "此致", "敬礼", "麻烦了", "麻烦您了", "辛苦了",
        // Labels of contact details (the numbers and addresses themselves are removed
        // apart: `removePhoneNumbers`, and e-mail addresses as they are read)
        "联系电话", "联系方式", "联系手机", "手机号码", "手机号", "电子邮箱", "邮箱地址", "邮箱",
    ]
    .sorted { $0.count > $1.count }

    /// The normalised text as Unicode scalar values, ready for shingling.
    public static func scalars(_ text: String) -> [UInt32] {
        var kept: [UInt32] = []
        let line = TextNormalizer.matchingLine(text)
        kept.reserveCapacity(line.unicodeScalars.count)
        var scalars = line.unicodeScalars.makeIterator()
        var pendingAddress = false
        while let scalar = scalars.next() {
            if scalar == "@" {
                // An e-mail address: identity, compared by key, not text. Its local part
                // (the ASCII run before) goes, and its domain (the run after) with it.
                while let last = kept.last, last < 0x80 { kept.removeLast() }
                pendingAddress = true
                continue
            }
            if pendingAddress {
                if scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "." || scalar == "-") {
                    continue
                }
                pendingAddress = false
            }
            let properties = scalar.properties
            guard properties.isAlphabetic || properties.numericType != nil else { continue }
            if scalar.isASCII {
                let value = scalar.value
                kept.append((0x41...0x5A).contains(value) ? value + 0x20 : value)
            } else if properties.changesWhenLowercased, let lower = properties.lowercaseMapping.unicodeScalars.first {
                kept.append(lower.value)
            } else {
                kept.append(scalar.value)
            }
        }
        return removeBoilerplate(removePhoneNumbers(kept))
    }

    /// Phone numbers are identity, compared by key, not text: a signature line
    /// "联系电话 138 1234 5678" must not make a re-sent demand look edited. Removed (after
    /// spaces and dashes are gone): mobile numbers (11 digits from 1), numbers with an area
    /// code (10–12 digits from 0), and 7–8 digit local numbers right after 电话/手机/座机/热线.
    static func removePhoneNumbers(_ input: [UInt32]) -> [UInt32] {
        var output: [UInt32] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            guard isDigit(input[index]) else {
                output.append(input[index])
                index += 1
                continue
            }
            var end = index
            while end < input.count, isDigit(input[end]) { end += 1 }
            let run = input[index..<end]
            let count = run.count
            let first = run.first!
            let afterPhoneWord = index > 0 && phoneWordEnds.contains(input[index - 1])
            let isPhone = (count == 11 && first == 0x31) || ((10...12).contains(count) && first == 0x30)
                || ((7...8).contains(count) && afterPhoneWord)
            if !isPhone { output.append(contentsOf: run) }
            index = end
        }
        return output
    }

    private static func isDigit(_ value: UInt32) -> Bool { (0x30...0x39).contains(value) }
    /// 话 (电话), 机 (手机, 座机), 线 (热线).
    private static let phoneWordEnds: Set<UInt32> = [0x8BDD, 0x673A, 0x7EBF]

    /// The normalised text as a string (for `explain` output and tests).
    public static func normalize(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for value in scalars(text) { if let scalar = Unicode.Scalar(value) { result.append(scalar) } }
        return String(result)
    }

    private static let boilerplateScalars: [[UInt32]] = boilerplate.map { $0.unicodeScalars.map(\.value) }
    private static let boilerplateFirsts: Set<UInt32> = Set(boilerplateScalars.compactMap(\.first))

    private static func removeBoilerplate(_ input: [UInt32]) -> [UInt32] {
        var output: [UInt32] = []
        output.reserveCapacity(input.count)
        var index = 0
        scan: while index < input.count {
            if boilerplateFirsts.contains(input[index]) {
                for phrase in boilerplateScalars where phrase.count <= input.count - index {
                    if input[index..<(index + phrase.count)].elementsEqual(phrase) {
                        index += phrase.count
                        continue scan
                    }
                }
            }
            output.append(input[index])
            index += 1
        }
        return output
    }
}
