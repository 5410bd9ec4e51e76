/// The case number token people quote: the last 12 hex digits of the case id (the random tail
/// of its UUIDv7), as in a subject's `[案件 0a1b2c3d4e5f]`.
public enum CaseToken {
    public static func of(caseID: String) -> String {
        String(caseID.lowercased().filter(\.isHexDigit).suffix(12))
    }
}
