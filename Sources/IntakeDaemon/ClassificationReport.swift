import Foundation
import IntakeCore
import IntakePipeline

/// `intake classify`: the category decision for a text, as an admin checks a taxonomy change.
public struct ClassificationReport {
    let classifier: Classifier
    let calendar: WorkingCalendar
    let timestamps: Timestamp

    public init?(configuration: LoadedConfiguration) {
        guard let classifier = configuration.classifier else { return nil }
        self.classifier = classifier
        calendar = configuration.calendar
        timestamps = Timestamp(timeZone: configuration.timeZone)
    }

    public func explain(text: String, subject: String?, sourceCategory: String?, urgent: Bool, now: Date = Date()) -> String {
        let result = classifier.classify(sourceCategory: sourceCategory, subject: subject, description: text)
        let due = calendar.dueDate(from: now, workingDays: result.deadlineWorkingDays, urgent: urgent, timeZone: timestamps.timeZone)
        return [
            "category     \(result.category.code) \(result.category.label)",
            "decided by   \(result.category.by.rawValue)" + (result.category.by == .rules ? " (score \(result.score))" : "")
                + (result.category.by == .model ? " (examples model with keyword score \(result.score) as prior; ~ marks the n-grams that weighed most)" : ""),
            "matched      \(result.matchedTerms.isEmpty ? "-" : result.matchedTerms.joined(separator: ", "))",
            "department   \(result.department ?? "-")",
            "deadline     \(result.deadlineWorkingDays) working days\(urgent ? ", halved for urgent" : ""): due \(timestamps.format(due)) if raised now",
        ].joined(separator: "\n")
    }
}
