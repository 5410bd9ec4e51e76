import IntakeCore

extension AdmissionOutcome {
    /// The outcome as channels answer it: `{"id", "ref", "status"}` and the link deduplication
    /// or threading made (`duplicate_of`, `possible_duplicate_of`, `followup_of`).
    public func answer(ref: String) -> JSONValue {
        var object: [String: JSONValue] = ["ref": .string(ref), "status": .string(status)]
        if let caseID { object["id"] = .string(caseID) }
        switch self {
        case .created(_, let possible?): object["possible_duplicate_of"] = .string(possible)
        case .duplicate(_, let original, let similarity):
            object["duplicate_of"] = .string(original)
            object["similarity"] = .number(similarity)
        case .followup(_, let parent): object["followup_of"] = .string(parent)
        case .created, .updated, .repeat: break
        }
        return .object(object)
    }
}
