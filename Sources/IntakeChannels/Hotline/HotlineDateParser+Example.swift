extension HotlineDateParser {
    /// `format` written for one sample instant (26 February 2026, 09:13:05), as operators are
    /// shown the accepted formats: `yyyy/M/d H:mm` is `2026/2/26 9:13`.
    public static func example(_ format: String) -> String {
        if format == "excel-serial" { return "46079.384" }
        let values: [String: String] = [
            "yyyy": "2026", "M": "2", "MM": "02", "d": "26", "dd": "26", "H": "9", "HH": "09",
            "m": "13", "mm": "13", "s": "5", "ss": "05",
        ]
        var text = ""
        var run = ""
        for character in format + " " {
            if character.isASCII, character.isLetter, character != "T" {
                if let last = run.last, last != character {
                    text += values[run] ?? run
                    run = ""
                }
                run.append(character)
                continue
            }
            if !run.isEmpty {
                text += values[run] ?? run
                run = ""
            }
            text.append(character)
        }
        return String(text.dropLast())
    }
}
