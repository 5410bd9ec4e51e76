/// One header of a message or part: its name as written, its value unfolded and decoded.
public struct MIMEHeaderField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
