import Foundation

/// RFC 5322 dates, including the obsolete forms: two- and three-digit years, named zones
/// (UT, GMT, EST…, military letters), comments, missing seconds or weekday.
enum MailDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    /// RFC 5322 §4.3; military letters other than Z count as -0000 (unknown), read as UTC.
    static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0,
        "edt": -4 * 60, "est": -5 * 60, "cdt": -5 * 60, "cst": -6 * 60,
        "mdt": -6 * 60, "mst": -7 * 60, "pdt": -7 * 60, "pst": -8 * 60,
    ]

    static func parse(_ raw: String) -> Date? {
        // Drop comments, then split on whitespace and commas.
        var text = ""
        var depth = 0
        for character in raw {
            if character == "(" { depth += 1; text.append(" "); continue }
            if character == ")", depth > 0 { depth -= 1; continue }
            if depth == 0 { text.append(character) }
        }
        var tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" || $0 == "\n" }).map { $0.lowercased() }
        guard !tokens.isEmpty else { return nil }
        if ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(String(tokens[0].prefix(3))) {
            tokens.removeFirst()
        }
        guard tokens.count >= 4 else { return nil }
        let day: Int
        let month: Int
        var yearIndex = 2
        // "26 Feb 2026" or, from some clients, "Feb 26 2026".
        if let value = Int(tokens[0]), let monthIndex = months.firstIndex(of: String(tokens[1].prefix(3))) {
            day = value
            month = monthIndex + 1
        } else if let monthIndex = months.firstIndex(of: String(tokens[0].prefix(3))), let value = Int(tokens[1]) {
            day = value
            month = monthIndex + 1
        } else {
            return nil
        }
        guard var year = Int(tokens[yearIndex]), (1...31).contains(day) else { return nil }
        let yearDigits = tokens[yearIndex].count
        if yearDigits == 2 { year += year < 50 ? 2000 : 1900 } else if yearDigits == 3 { year += 1900 }
        guard (1900...9999).contains(year) else { return nil }
        yearIndex += 1
        let time = tokens[yearIndex].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2 || time.count == 3, let hour = Int(time[0]), let minute = Int(time[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        var second = 0
        if time.count == 3 {
            guard let value = Int(time[2].prefix(2)), (0...60).contains(value) else { return nil }
            second = min(value, 59)
        }
        var offsetMinutes = 0
        if yearIndex + 1 < tokens.count {
            let zone = tokens[yearIndex + 1]
            if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5, let digits = Int(zone.dropFirst()) {
                let minutes = (digits / 100) * 60 + digits % 100
                guard digits % 100 < 60 else { return nil }
                offsetMinutes = sign == "-" ? -minutes : minutes
            } else if let named = zones[zone] {
                offsetMinutes = named
            }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        // A day past the month's end (31 Feb) is a lie, not a date.
        guard daysFromCivil(year: year, month: month, day: 1) + daysInMonth(year: year, month: month) > days else { return nil }
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        let next = month == 12 ? daysFromCivil(year: year + 1, month: 1, day: 1) : daysFromCivil(year: year, month: month + 1, day: 1)
        return next - daysFromCivil(year: year, month: month, day: 1)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }
}
