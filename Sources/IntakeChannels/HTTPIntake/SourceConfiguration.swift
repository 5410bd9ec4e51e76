import IntakeCore

/// One calling system of the webhook (and of the visit uploads): its name, how it
/// authenticates, and the file its secret is read from.
public struct SourceConfiguration: Sendable, Hashable, Decodable {
    public var name: String
    /// `hmac` (X-Intake-Signature) or `bearer` (Authorization: Bearer).
    public var auth: String
    /// The secret's file; `${CREDENTIALS_DIRECTORY}` and other `${VARIABLES}` are expanded.
    public var secretFile: String

    public var method: SourceAuthenticator.Source.Method? { .init(rawValue: auth) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, auth
        case secretFile = "secret_file"
    }

    public init(name: String, auth: String = "hmac", secretFile: String) {
        self.name = name
        self.auth = auth
        self.secretFile = secretFile
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        auth = try container.value(.auth, default: "hmac")
        secretFile = try container.decode(String.self, forKey: .secretFile)
    }
}
