import Foundation
import IntakePipeline
import Testing

@Suite struct WorkingCalendarTests {
    let calendar: WorkingCalendar
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    init() throws {
        calendar = try WorkingCalendar.load(path: channelsDirectory.appendingPathComponent("holidays.yaml").path)
    }

    /// A local time in Asia/Shanghai.
    func at(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text + "+08:00")!
    }

    func due(_ reported: String, _ days: Int, urgent: Bool = false) -> Date {
        calendar.dueDate(from: at(reported), workingDays: days, urgent: urgent, timeZone: shanghai)
    }

    @Test func shippedHolidaysLoad() {
        #expect(calendar.years == [2025, 2026])
        #expect(!calendar.isWorkingDay(CalendarDay("2026-10-01")!))
        #expect(calendar.isWorkingDay(CalendarDay("2026-10-10")!))
        #expect(!calendar.isWorkingDay(CalendarDay("2026-10-11")!))
    }

    @Test func dueAtTheEndOfTheWorkingDay() {
        // Tuesday 2026-03-10 + 1 working day → Wednesday 17:30.
        #expect(due("2026-03-10T09:00:00", 1) == at("2026-03-11T17:30:00"))
    }

    @Test func weekendsAreSkipped() {
        // Thursday 2026-03-12 + 3 → Fri 13, Mon 16, Tue 17.
        #expect(due("2026-03-12T16:00:00", 3) == at("2026-03-17T17:30:00"))
    }

    @Test func reportedOnAWeekendCountsFromTheNextWorkingDay() {
        #expect(due("2026-03-14T10:00:00", 1) == at("2026-03-16T17:30:00"))
    }

    @Test func lateEveningIsStillTheReportedDayLocally() {
        // 23:30 in Shanghai is 15:30 UTC the same day: the local day decides.
        #expect(due("2026-03-10T23:30:00", 1) == at("2026-03-11T17:30:00"))
    }

    @Test func nationalDayWithTheMakeUpSaturday() {
        // Tuesday 2026-09-29 + 5: Wed 9/30, then 10/1–10/7 off, Thu 10/8, Fri 10/9,
        // Saturday 10/10 (调休), Mon 10/12.
        #expect(due("2026-09-29T10:00:00", 5) == at("2026-10-12T17:30:00"))
        #expect(due("2026-09-29T10:00:00", 4) == at("2026-10-10T17:30:00"))
    }

    @Test func makeUpSundayBeforeNationalDay() {
        // Friday 2026-09-18 + 1 → Sunday 9/20 is a working day (调休).
        #expect(due("2026-09-18T10:00:00", 1) == at("2026-09-20T17:30:00"))
    }

    @Test func springFestivalWithBothMakeUpSaturdays() {
        // Friday 2026-02-13 + 1 → Saturday 2/14 (调休).
        #expect(due("2026-02-13T10:00:00", 1) == at("2026-02-14T17:30:00"))
        // Saturday 2/14 + 1: 2/15–2/23 off → Tuesday 2/24.
        #expect(due("2026-02-14T10:00:00", 1) == at("2026-02-24T17:30:00"))
        // Friday 2026-02-13 + 5: Sat 2/14, Tue 2/24, Wed 2/25, Thu 2/26, Fri 2/27.
        #expect(due("2026-02-13T10:00:00", 5) == at("2026-02-27T17:30:00"))
        // … + 6: Saturday 2/28 (调休).
        #expect(due("2026-02-13T10:00:00", 6) == at("2026-02-28T17:30:00"))
        // … + 7: Monday 3/2.
        #expect(due("2026-02-13T10:00:00", 7) == at("2026-03-02T17:30:00"))
    }

    @Test func urgentHalvesRoundingUp() {
        // Monday 2026-03-09: 10 → 5 (Mon 3/16), 5 → 3 (Thu 3/12), 1 → 1 (Tue 3/10).
        #expect(due("2026-03-09T10:00:00", 10, urgent: true) == at("2026-03-16T17:30:00"))
        #expect(due("2026-03-09T10:00:00", 5, urgent: true) == at("2026-03-12T17:30:00"))
        #expect(due("2026-03-09T10:00:00", 1, urgent: true) == at("2026-03-10T17:30:00"))
        #expect(due("2026-03-09T10:00:00", 5) == at("2026-03-16T17:30:00"))
    }

    @Test func calendarDayRoundTrips() {
        for number in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CalendarDay(dayNumber: number).dayNumber == number)
        }
        #expect(CalendarDay("2026-02-29") == nil)
        #expect(CalendarDay("2024-02-29")?.description == "2024-02-29")
    }

    @Test func mistakesAreReportedWithTheirLine() {
        let text = """
            years: [2026]
            holidays:
              - 2026-10-01..2026-10-07
              - 2026-13-01
            workdays:
              - 2026-10-12
              - 2025-09-28
            """
        #expect {
            try WorkingCalendar.parse(text, file: "h.yaml")
        } throws: { error in
            guard let error = error as? TaxonomyError else { return false }
            let lines = Set(error.issues.compactMap(\.line))
            return lines == [4, 6, 7] && error.issues.count == 3
        }
    }
}
