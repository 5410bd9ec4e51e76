import Metrics

/// What happens to acknowledgements, counted in one place:
/// `intake_acknowledgements_total{source, outcome}` with outcome `queued`, `skipped` (a noreply
/// or bulk sender, the hourly allowance), `sent`, `retry` or `failed` (given up).
struct AcknowledgementEvents: Sendable {
    private let counters: [String: Counter]

    static let outcomes = ["queued", "skipped", "sent", "retry", "failed"]

    init(source: String) {
        counters = Dictionary(uniqueKeysWithValues: Self.outcomes.map { outcome in
            (outcome, Counter(label: "intake_acknowledgements_total", dimensions: [("source", source), ("outcome", outcome)]))
        })
    }

    func count(_ outcome: String) {
        counters[outcome]?.increment()
    }
}
