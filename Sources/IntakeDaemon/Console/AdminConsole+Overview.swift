import Foundation
import Hummingbird
import IntakeStore

extension AdminConsole {
    static let overviewRefreshSecs = 30

    /// `/`: today and the last 7 days per channel, the outbox, dead letters, quarantine,
    /// every source's last input and the sink's health; the page reloads itself.
    func addOverview(to router: Router<ConsoleRequestContext>) {
        page(router, "/") { [self] _, _, viewer in
            let now = clock()
            let days = dayStarts(endingAt: now, count: 7)
            let counts = try database.caseCounts(dayStarts: days, end: now)
            let status = try database.status(now: now)
            let channels = ["webhook", "email", "hotline", "visit"]
            let rows: [[String: Any]] = counts.perDay.map { day in
                [
                    "day": String(shown(day.start).prefix(10)), "counts": channels.map { day.byChannel[$0] ?? 0 },
                    "total": day.byChannel.values.reduce(0, +),
                ]
            }
            let today = counts.perDay.last?.byChannel.values.reduce(0, +) ?? 0
            let share = counts.total == 0 ? "—" : String(format: "%.1f%%", Double(counts.duplicates) * 100 / Double(counts.total))
            let sinks: [[String: Any]] = status.sinks.map { sink in
                let failing = sink.lastFailedAt.map { failed in sink.lastDeliveredAt.map { $0 < failed } ?? true } ?? false
                return [
                    "sink": sink.sink, "state": failing ? "投递失败" : "正常", "stateClass": failing ? "bad" : "good",
                    "lastDelivered": shown(sink.lastDeliveredAt), "lastFailed": shown(sink.lastFailedAt),
                    "lastError": failing ? String((sink.lastError ?? "").prefix(200)) : "",
                ]
            }
            var values: [String: Any] = [
                "now": shown(now), "casesToday": today, "casesWeek": counts.total, "outboxDepth": status.outboxDepth,
                "oldestPending": status.oldestPendingQueuedAt.map { Self.age(now.timeIntervalSince($0)) } ?? "无",
                "deadLetters": status.deadLetters, "deadWarn": status.deadLetters > 0,
                "openQuarantine": counts.openQuarantine, "quarantineWarn": counts.openQuarantine > 0,
                "duplicateShare": share, "duplicates": counts.duplicates,
                "channels": channels.map { ["label": Self.channelLabel($0)] }, "days": rows,
                "chart": ConsoleChart.stackedBars(days: counts.perDay.map { (String(shown($0.start).dropFirst(5).prefix(5)), $0.byChannel) }, channels: channels),
                "sources": status.channels.map { ["channel": Self.channelLabel($0.channel), "source": $0.source, "last": shown($0.lastReceivedAt)] },
                "sinks": sinks, "deliveredLastMinute": status.deliveredLastMinute, "deliveredLastHour": status.deliveredLastHour,
            ]
            if status.heldBehindDeadLetters > 0 { values["held"] = status.heldBehindDeadLetters }
            return pages.render("overview", values, frame: ConsoleFrame(title: "概览", nav: "overview", viewer: viewer, refreshSecs: Self.overviewRefreshSecs))
        }
    }

    /// The starts of the last `count` days in the zone, oldest first, today's last.
    func dayStarts(endingAt now: Date, count: Int) -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = configuration.timeZone
        let today = calendar.startOfDay(for: now)
        return (0..<count).reversed().compactMap { calendar.date(byAdding: .day, value: -$0, to: today) }
    }

    /// The midnight starting the zone's day `text` (`2026-02-26`).
    func dayStart(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = configuration.timeZone
        guard let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return nil }
        // Not lenient: 2026-13-40 is a mistake, not a day in 2027.
        let read = calendar.dateComponents([.year, .month, .day], from: date)
        return [read.year, read.month, read.day] == parts.map(Optional.some) ? date : nil
    }

    static func age(_ secs: TimeInterval) -> String {
        switch secs {
        case ..<60: "\(Int(secs)) 秒"
        case ..<3600: "\(Int(secs / 60)) 分钟"
        case ..<86400: String(format: "%.1f 小时", secs / 3600)
        default: String(format: "%.1f 天", secs / 86400)
        }
    }
}
