import Foundation

/// Which days are working days: Monday to Friday, less public holidays, plus the weekend
/// days made working days by 调休. Read from `channels/holidays.yaml`.
public struct WorkingCalendar: Sendable, Hashable {
    /// Public holidays, as days since 1970-01-01 (a calendar day, no time zone).
    public private(set) var holidays: Set<Int>
    /// Weekend days that are working days (调休上班日), as days since 1970-01-01.
    public private(set) var workdays: Set<Int>
    /// The years the holiday file covers; past them only weekends are skipped.
    public var years: [Int]

    /// The hour and minute a working day ends locally, which is when a deadline falls due.
    public static let endOfWorkingDay = (hour: 17, minute: 30)

    public init(holidays: [CalendarDay] = [], workdays: [CalendarDay] = [], years: [Int] = []) {
        self.holidays = Set(holidays.map(\.dayNumber))
        self.workdays = Set(workdays.map(\.dayNumber))
        self.years = years
    }

    /// Weekends only: no holiday file.
    public static let weekendsOnly = WorkingCalendar()

    public func isWorkingDay(_ day: CalendarDay) -> Bool {
        isWorkingDay(day.dayNumber)
    }

    /// The due time of a deadline of `workingDays` working days for a case reported at `from`.
    ///
    /// The rule: counting starts the day after the reported day (in `timeZone`), whatever
    /// the hour it was reported and whether or not that day is a working day. Each later
    /// day that is a working day counts one: Monday to Friday unless it is a listed holiday,
    /// and Saturdays and Sundays listed as make-up working days (调休). The case is due at
    /// the end of the last counted day, 17:30 local time. `urgent` halves the working days,
    /// rounded up, and at least one: 10 → 5, 5 → 3, 1 → 1. Zero or fewer working days
    /// (not urgent) is due at 17:30 on the reported day.
    public func dueDate(from: Date, workingDays: Int, urgent: Bool, timeZone: TimeZone) -> Date {
        let days = urgent ? max(1, (workingDays + 1) / 2) : workingDays
        let offset = timeZone.secondsFromGMT(for: from)
        var day = Int(((from.timeIntervalSince1970 + Double(offset)) / 86_400).rounded(.down))
        var counted = 0
        while counted < days {
            day += 1
            if isWorkingDay(day) { counted += 1 }
        }
        let localEnd = Double(day * 86_400 + Self.endOfWorkingDay.hour * 3_600 + Self.endOfWorkingDay.minute * 60)
        // The offset at the due time itself, for zones with daylight saving time.
        let guess = Date(timeIntervalSince1970: localEnd - Double(offset))
        return Date(timeIntervalSince1970: localEnd - Double(timeZone.secondsFromGMT(for: guess)))
    }

    func isWorkingDay(_ dayNumber: Int) -> Bool {
        if workdays.contains(dayNumber) { return true }
        if holidays.contains(dayNumber) { return false }
        // 1970-01-01 was a Thursday: 0 = Thursday … 2 = Saturday, 3 = Sunday.
        let weekday = ((dayNumber % 7) + 7) % 7
        return weekday != 2 && weekday != 3
    }
}

/// A calendar date with no time or zone, e.g. 2026-10-10.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; nil unless it names a real date.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 (proleptic Gregorian), after Howard Hinnant's days_from_civil.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `dayNumber` days after 1970-01-01.
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool { lhs.dayNumber < rhs.dayNumber }

    public var description: String {
        let pad = { (value: Int, width: Int) in String(repeating: "0", count: max(0, width - String(value).count)) + String(value) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
