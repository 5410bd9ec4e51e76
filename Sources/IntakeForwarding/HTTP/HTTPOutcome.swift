import Foundation
import IntakeStore

/// What an HTTP answer means for delivery: the one place these rules live.
///
/// 2xx and 409 (the receiver already has it) are delivered; 408, 429 and 5xx may pass later
/// and are retried, honouring `Retry-After`; any other status never will, and is dead-lettered
/// with the status and the start of the body.
public enum HTTPOutcome {
    public static func classify(status: Int, retryAfter: String?, body: Data, now: Date = Date()) -> DeliveryOutcome {
        switch status {
        case 200..<300, 409:
            return .delivered(detail: "HTTP \(status)")
        case 408, 429, 500..<600:
            return .retry(reason: "HTTP \(status)\(excerpt(body))", notBefore: retryAfter.flatMap { parseRetryAfter($0, now: now) })
        default:
            return .reject(reason: "HTTP \(status)\(excerpt(body))")
        }
    }

    /// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Date? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return now.addingTimeInterval(Double(seconds)) }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return date }
        }
        return nil
    }

    /// `: <first KiB of the body>` when there is one, for the dead letter and the trace.
    static func excerpt(_ body: Data) -> String {
        guard !body.isEmpty else { return "" }
        return ": " + String(decoding: body.prefix(1024), as: UTF8.self)
    }
}
