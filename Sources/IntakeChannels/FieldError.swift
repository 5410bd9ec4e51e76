/// One thing wrong with a request, and where: a JSON pointer (`/requests/0/description`),
/// a CSV line and column, a MIME part.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
