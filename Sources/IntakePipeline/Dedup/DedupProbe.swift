import Foundation
import IntakeCore

/// What deduplication needs of a new case, computed by the channel before the writer takes
/// it (the signature is the costly part, ~40 µs): the text's MinHash signature and LSH
/// bands, the enterprise's identity keys, the category, the moment the demand was raised,
/// and the policy to judge it by.
public struct DedupProbe: Sendable {
    public var signature: MinHashSignature
    public var bands: [UInt64]
    public var identityKeys: [String]
    public var categoryCode: String?
    /// When the requester raised the demand (`reported_at`), or when it arrived: the window
    /// is measured between these, so an old hotline export is compared with what was raised
    /// at that time, not with today's mail.
    public var at: Date
    public var policy: DedupPolicy
    /// The text the signature was made of, for `CrucialFacts` when a candidate is a duplicate.
    public var text: String

    /// The probe of a case's text: its description, or its subject when the description is
    /// empty (`DedupText` drops greetings and boilerplate first).
    public init(intakeCase: IntakeCase, at: Date, policy: DedupPolicy) {
        let text = intakeCase.description.isEmpty ? (intakeCase.subject ?? "") : intakeCase.description
        self.text = text
        signature = MinHashSignature(text: text)
        bands = signature.isEmpty ? [] : signature.bands()
        identityKeys = EnterpriseIdentity.keys(
            uscc: intakeCase.enterprise.uscc, usccValid: intakeCase.enterprise.usccValid ?? false, name: intakeCase.enterprise.name,
            phone: intakeCase.requester.phone, email: intakeCase.requester.email)
        categoryCode = intakeCase.category?.code
        self.at = at
        self.policy = policy
    }

    /// A probe of parts already known (benchmarks, tests).
    public init(signature: MinHashSignature, identityKeys: [String], categoryCode: String?, at: Date, policy: DedupPolicy, text: String = "") {
        self.signature = signature
        self.text = text
        bands = signature.isEmpty ? [] : signature.bands()
        self.identityKeys = identityKeys
        self.categoryCode = categoryCode
        self.at = at
        self.policy = policy
    }

    /// The decision against stored candidates (see `DedupDecision`), duplicates checked for
    /// a crucial fact against their text (`candidateText`, by case id).
    public func decide(_ candidates: [DedupCandidate], candidateText: (String) throws -> String? = { _ in nil }) rethrows -> DedupDecision {
        try DedupDecision.decide(
            signature: signature, identityKeys: identityKeys, categoryCode: categoryCode, receivedAt: at,
            candidates: candidates, policy: policy
        ).checkingText(of: text, policy: policy, candidateText: candidateText)
    }
}

extension CaseNormalizer {
    /// The dedup probe of a case just made, or nil when deduplication is off.
    /// - Parameter reportedAt: when the requester raised it, if the source said.
    public func dedupProbe(for intakeCase: IntakeCase, reportedAt: Date?, receivedAt: Date) -> DedupProbe? {
        dedup.map { DedupProbe(intakeCase: intakeCase, at: reportedAt ?? receivedAt, policy: $0) }
    }
}
