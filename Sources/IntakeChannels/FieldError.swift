import IntakeCore

/// One thing wrong with a request, and where: a JSON pointer (`/requests/0/description`),
/// a CSV line and column, a MIME part.
///
/// `field` is machine-readable and stable; what is wrong is a message each locale words its
/// own way. `message` is its English text (the webhook's answers, logs, the trace).
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public let field: String
    public let problem: OperatorMessage

    public init(_ field: String, _ message: String) {
        self.init(field, .verbatim(message))
    }

    public init(_ field: String, _ problem: OperatorMessage) {
        self.field = field
        self.problem = problem
    }

    public var message: String { MessageCatalogue.english.text(problem) }

    public var description: String { "\(field): \(message)" }

    /// `field: message` in the words of `catalogue`, the field as it is.
    public func text(_ catalogue: MessageCatalogue) -> String { "\(field): \(catalogue.text(problem))" }

    /// The same problem under another field (a drop file's line before the pointer).
    public func at(_ field: String) -> FieldError { FieldError(field, problem) }

    // Equal when they say the same thing at the same place, however the problem was given.
    public static func == (lhs: FieldError, rhs: FieldError) -> Bool { lhs.field == rhs.field && lhs.message == rhs.message }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(field)
        hasher.combine(message)
    }
}
