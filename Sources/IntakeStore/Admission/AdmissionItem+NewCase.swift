import Foundation
import IntakeCore
import IntakePipeline

/// What a new item becomes once threading or deduplication has linked it: the case to store,
/// its document, the event to queue, the outcome, and its `received` and `normalised` steps.
/// The same for every store; only where the decision's candidates come from differs.
public struct NewCase: Sendable {
    public var intakeCase: IntakeCase
    public var document: Data
    public var event: CaseEvent.Kind
    public var outcome: AdmissionOutcome
    public var tracePrefix: String
}

extension AdmissionItem {
    /// The item as a case linked to nothing (`case.created`).
    public var unlinkedCase: NewCase {
        NewCase(
            intakeCase: intakeCase, document: document, event: .created,
            outcome: .created(caseID: intakeCase.id, possibleDuplicateOf: nil), tracePrefix: tracePrefix)
    }

    /// The item as a follow-up of `parent`: linked already, so not deduplicated, not indexed.
    public func followupCase(of parent: String) throws -> NewCase {
        var linked = intakeCase
        linked.followupOf = parent
        var changes = self.changes
        changes["followup_of"] = .string(parent)
        return NewCase(
            intakeCase: linked, document: try linked.encoded(), event: .followup, outcome: .followup(caseID: linked.id, of: parent),
            tracePrefix: Self.steps([("received", origin), ("normalised", changes)]))
    }

    /// The item as deduplication decided: a duplicate, a possible duplicate, or new.
    public func deduplicatedCase(by decision: DedupDecision) throws -> NewCase {
        var linked = intakeCase
        switch decision.outcome {
        case .duplicate(let original, let similarity):
            let similarity = IntakeTransaction.rounded(similarity)
            linked.duplicateOf = original
            linked.similarity = similarity
            return NewCase(
                intakeCase: linked, document: try linked.encoded(), event: .duplicate,
                outcome: .duplicate(caseID: linked.id, of: original, similarity: similarity), tracePrefix: tracePrefix)
        case .possible(let original, _):
            linked.possibleDuplicateOf = original
            return NewCase(
                intakeCase: linked, document: try linked.encoded(), event: .created,
                outcome: .created(caseID: linked.id, possibleDuplicateOf: original), tracePrefix: tracePrefix)
        case .new:
            return unlinkedCase
        }
    }
}
