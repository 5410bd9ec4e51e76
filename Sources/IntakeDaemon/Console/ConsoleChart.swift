/// The overview's chart: inline SVG built here from numbers and fixed labels only (it is
/// inserted unescaped), so that it needs no script and no image request.
enum ConsoleChart {
    static let colors = ["webhook": "#2f6fb3", "email": "#e0913a", "hotline": "#3a9a5b", "visit": "#8a5bb8"]

    /// One stacked bar per day, a segment per channel, with the day's total above it.
    static func stackedBars(days: [(label: String, counts: [String: Int])], channels: [String]) -> String {
        let width = 640, height = 220, top = 24, bottom = 30, left = 36
        let plot = height - top - bottom
        let maximum = max(1, days.map { $0.counts.values.reduce(0, +) }.max() ?? 1)
        let slot = (width - left) / max(1, days.count)
        var svg = "<svg class='chart' id='chart' role='img' aria-label='近 7 天各渠道案件数' viewBox='0 0 \(width) \(height + 24)' xmlns='http://www.w3.org/2000/svg'>"
        svg += "<line x1='\(left)' y1='\(top + plot)' x2='\(width)' y2='\(top + plot)' stroke='#999'/>"
        svg += "<text x='\(left - 6)' y='\(top + 4)' text-anchor='end' font-size='11' fill='#666'>\(maximum)</text>"
        svg += "<text x='\(left - 6)' y='\(top + plot)' text-anchor='end' font-size='11' fill='#666'>0</text>"
        for (index, day) in days.enumerated() {
            let x = left + index * slot + slot / 4
            let barWidth = slot / 2
            var y = top + plot
            for channel in channels {
                let count = day.counts[channel] ?? 0
                guard count > 0 else { continue }
                let segment = max(1, plot * count / maximum)
                y -= segment
                svg += "<rect x='\(x)' y='\(y)' width='\(barWidth)' height='\(segment)' fill='\(colors[channel] ?? "#777")'>"
                    + "<title>\(AdminConsole.channelLabel(channel)) \(count)</title></rect>"
            }
            let total = day.counts.values.reduce(0, +)
            svg += "<text x='\(x + barWidth / 2)' y='\(y - 4)' text-anchor='middle' font-size='12' fill='#333'>\(total)</text>"
            svg += "<text x='\(x + barWidth / 2)' y='\(top + plot + 18)' text-anchor='middle' font-size='12' fill='#333'>\(day.label)</text>"
        }
        for (index, channel) in channels.enumerated() {
            let x = left + index * 110
            svg += "<rect x='\(x)' y='\(height + 6)' width='12' height='12' fill='\(colors[channel] ?? "#777")'/>"
            svg += "<text x='\(x + 16)' y='\(height + 16)' font-size='12' fill='#333'>\(AdminConsole.channelLabel(channel))</text>"
        }
        return svg + "</svg>"
    }
}
