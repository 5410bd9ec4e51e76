import Foundation
import Yams

extension WorkingCalendar {
    /// Reads and validates a holiday file, reporting every mistake with its line and column.
    public static func load(path: String) throws(TaxonomyError) -> WorkingCalendar {
        var reader = WorkingCalendarReader(file: path)
        guard let text = reader.yaml.text() else { throw TaxonomyError(issues: reader.yaml.issues) }
        return try reader.read(text)
    }

    /// Parses holiday YAML given as text; `file` names it in the mistakes reported.
    public static func parse(_ text: String, file: String = "holidays.yaml") throws(TaxonomyError) -> WorkingCalendar {
        var reader = WorkingCalendarReader(file: file)
        return try reader.read(text)
    }
}

/// Reads `holidays.yaml`: `years`, `holidays` and `workdays`, dates as YYYY-MM-DD or
/// FIRST..LAST ranges.
struct WorkingCalendarReader {
    var yaml: YAMLFileReader

    init(file: String) {
        yaml = YAMLFileReader(file: file)
    }

    mutating func read(_ text: String) throws(TaxonomyError) -> WorkingCalendar {
        guard let top = yaml.compose(text) else { throw TaxonomyError(issues: yaml.issues) }
        var years: [Int] = []
        var holidays: [(day: CalendarDay, node: Node)] = []
        var workdays: [(day: CalendarDay, node: Node)] = []
        for (key, value) in top {
            switch key.string {
            case "years":
                for item in yaml.sequence(value, "years", example: "[2025, 2026]") ?? [] {
                    if let year = yaml.integer(item, "years[]", in: 1949...2200) { years.append(year) }
                }
            case "holidays":
                holidays = readDays(value, option: "holidays")
            case "workdays":
                workdays = readDays(value, option: "workdays")
            default:
                yaml.add(key, key.string ?? "", "unknown option; expected one of: years, holidays, workdays")
            }
        }
        let holidaySet = Set(holidays.map(\.day))
        for (day, node) in workdays {
            if holidaySet.contains(day) {
                yaml.add(node, "workdays", "\(day) is also listed under holidays; a day is one or the other")
            } else if (day.dayNumber % 7 + 7) % 7 != 2, (day.dayNumber % 7 + 7) % 7 != 3 {
                yaml.add(node, "workdays", "\(day) is not a Saturday or Sunday; list only weekend days made working days (调休)")
            }
        }
        if !years.isEmpty {
            for (day, node) in holidays + workdays where !years.contains(day.year) {
                yaml.add(node, "", "\(day) is outside the years this file covers (\(years.map(String.init).joined(separator: ", ")))")
            }
        }
        guard yaml.issues.isEmpty else { throw TaxonomyError(issues: yaml.issues) }
        return WorkingCalendar(holidays: holidays.map(\.day), workdays: workdays.map(\.day), years: years.sorted())
    }

    private mutating func readDays(_ node: Node, option: String) -> [(day: CalendarDay, node: Node)] {
        var days: [(day: CalendarDay, node: Node)] = []
        for item in yaml.sequence(node, option, example: "[2026-10-01..2026-10-07, 2026-10-10]") ?? [] {
            guard let text = yaml.string(item, "\(option)[]") else { continue }
            let ends = text.components(separatedBy: "..")
            guard ends.count <= 2, let first = CalendarDay(ends[0].trimmingCharacters(in: .whitespaces)),
                  let last = ends.count == 2 ? CalendarDay(ends[1].trimmingCharacters(in: .whitespaces)) : first
            else {
                yaml.add(item, option, "\"\(text)\" is not a date; expected YYYY-MM-DD or FIRST..LAST, e.g. 2026-10-01..2026-10-07")
                continue
            }
            guard first <= last, last.dayNumber - first.dayNumber < 31 else {
                yaml.add(item, option, "\"\(text)\" is not a range of at most 31 days, first to last")
                continue
            }
            for number in first.dayNumber...last.dayNumber { days.append((CalendarDay(dayNumber: number), item)) }
        }
        return days
    }
}
