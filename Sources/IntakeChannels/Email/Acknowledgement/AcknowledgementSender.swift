import Foundation
import IntakeCore
import IntakeStore
import Logging

/// Sends the acknowledgements queued with their cases: one mail per case, through SMTP, marked
/// sent (and traced `acknowledged`) in the store after the server took it; a failure is tried
/// again with a growing wait, and given up after `max_attempts`.
///
/// A crash after the commit and before the send loses nothing: the row is pending and is sent
/// at the next start. A crash between the server's answer and the mark would send it twice;
/// that window is one local transaction.
public struct AcknowledgementSender: Sendable {
    public struct Settings: Sendable {
        public var smtp: SMTPClient.Configuration
        public var from: AcknowledgementMail.MailAddress
        public var template: AcknowledgementTemplate
        public var retryInitialSecs: Double
        public var retryMaxSecs: Double
        public var maxAttempts: Int

        public init(
            smtp: SMTPClient.Configuration, from: AcknowledgementMail.MailAddress, template: AcknowledgementTemplate,
            retryInitialSecs: Double = 30, retryMaxSecs: Double = 3600, maxAttempts: Int = 12
        ) {
            self.smtp = smtp
            self.from = from
            self.template = template
            self.retryInitialSecs = retryInitialSecs
            self.retryMaxSecs = retryMaxSecs
            self.maxAttempts = maxAttempts
        }
    }

    public let settings: Settings
    let database: IntakeDatabase
    let logger: Logger
    private let queue = DispatchQueue(label: "intake-smtp")

    public init(settings: Settings, database: IntakeDatabase, logger: Logger) {
        self.settings = settings
        self.database = database
        self.logger = logger
    }

    /// Sends what is due now; how many went out.
    @discardableResult
    public func sendDue(limit: Int = 50) async throws -> Int {
        var sent = 0
        for pending in try database.dueAcknowledgements(now: database.now(), limit: limit) {
            if try await send(pending) { sent += 1 }
        }
        return sent
    }

    /// When the next acknowledgement is due, if one is pending.
    public func nextDue() throws -> Date? {
        try database.nextAcknowledgementDue()
    }

    private func send(_ pending: PendingAcknowledgement) async throws -> Bool {
        let events = AcknowledgementEvents(source: pending.source)
        let caseID = pending.caseID
        guard let document = pending.document, let intakeCase = try? JSONDecoder().decode(IntakeCase.self, from: Data(document.utf8)),
              intakeCase.erased == nil
        else {
            try await database.intake { try $0.acknowledgementFailed(caseID: caseID, error: "the case is gone", retryAt: nil) }
            events.count("failed")
            return false
        }
        let mail = mail(for: intakeCase, to: pending.recipient, inReplyTo: pending.inReplyTo)
        let client = SMTPClient(configuration: settings.smtp)
        let from = settings.from.address
        let recipient = pending.recipient
        let bytes = mail.rendered()
        let result: Result<Void, SMTPClient.Failure> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(SMTPClient.Failure) in try client.send(bytes, from: from, to: recipient) })
            }
        }
        let attempts = pending.attempts + 1
        let step = TraceStep(
            "acknowledged", channel: .email, source: pending.source, ref: intakeCase.ref, caseID: caseID,
            detail: ["attempts": .number(Double(attempts)), "message_id": .string(mail.messageID)])
        switch result {
        case .success:
            try await database.intake { transaction in
                try transaction.markAcknowledged(caseID: caseID)
                try transaction.trace(step)
            }
            events.count("sent")
            logger.info("acknowledgement sent", metadata: [
                "intake.source": "\(pending.source)", "intake.case.id": "\(caseID)", "intake.attempt": "\(attempts)",
            ])
            return true
        case .failure(let failure):
            let giveUp = failure.permanent || attempts >= settings.maxAttempts
            let retryAt = giveUp ? nil : database.now().addingTimeInterval(backoff(afterAttempt: attempts))
            // The server's words may quote the address: addresses are masked before they reach
            // the trace, the store and the log.
            let reason = "curl \(failure.code)" + (failure.permanent ? " (refused for good)" : "") + ": " + Self.masked(failure.message)
            try await database.intake { transaction in
                try transaction.acknowledgementFailed(caseID: caseID, error: reason, retryAt: retryAt)
                if giveUp {
                    try transaction.trace(TraceStep(
                        "acknowledgement_failed", channel: .email, source: pending.source, ref: intakeCase.ref, caseID: caseID,
                        detail: ["attempts": .number(Double(attempts)), "reason": .string(reason)]))
                }
            }
            events.count(giveUp ? "failed" : "retry")
            logger.log(level: giveUp ? .error : .warning, giveUp ? "acknowledgement given up" : "acknowledgement not sent; tried again later", metadata: [
                "intake.source": "\(pending.source)", "intake.case.id": "\(caseID)", "intake.attempt": "\(attempts)",
                "intake.curl_code": "\(failure.code)", "error": "\(reason)",
            ])
            return false
        }
    }

    /// `text` with every mail address replaced by `<address>`.
    static func masked(_ text: String) -> String {
        text.replacingOccurrences(of: #"[^\s<>"'(),;:]+@[^\s<>"'(),;:]+"#, with: "<address>", options: .regularExpression)
    }

    /// The wait after failed attempt `attempt` (1-based): doubling from `retry_initial_secs`, at
    /// most `retry_max_secs`, with ±20 % jitter so that a backlog does not retry in step.
    func backoff(afterAttempt attempt: Int) -> Double {
        let base = min(settings.retryMaxSecs, settings.retryInitialSecs * pow(2, Double(min(attempt - 1, 30))))
        return base * Double.random(in: 0.8...1.2)
    }

    /// The mail for a case: the template filled with the case's values, to the requester.
    func mail(for intakeCase: IntakeCase, to recipient: String, inReplyTo: String?) -> AcknowledgementMail {
        let receivedAt = intakeCase.receivedAt.prefix(16).replacingOccurrences(of: "T", with: " ")
        let (subject, body) = settings.template.render(
            values: [
                "case_token": CaseToken.of(caseID: intakeCase.id), "case_id": intakeCase.id,
                "subject": intakeCase.subject ?? "", "received_at": receivedAt,
                "requester_name": intakeCase.requester.name ?? "",
            ],
            caseID: intakeCase.id)
        let domain = settings.from.address.split(separator: "@").last.map(String.init) ?? "intake.invalid"
        return AcknowledgementMail(
            from: settings.from, to: .init(address: recipient, name: intakeCase.requester.name), subject: subject, body: body,
            inReplyTo: inReplyTo, messageID: "<ack.\(intakeCase.id)@\(domain)>", date: database.now())
    }
}
