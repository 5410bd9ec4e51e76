/// The thresholds and window of deduplication. Similarities are MinHash estimates of the
/// Jaccard similarity of 3-character shingles of `DedupText`-normalised text.
public struct DedupPolicy: Sendable, Hashable {
    /// At or above: a duplicate (`case.duplicate`, `duplicate_of`).
    public var highThreshold: Double
    /// At or above, below `highThreshold`: created with a `possible_duplicate_of` hint.
    public var lowThreshold: Double
    /// Duplicate threshold when either side has no identity key (text alone); between
    /// `highThreshold` and this it is only a possible duplicate.
    public var textOnlyThreshold: Double
    /// Two cases of different categories are duplicates only at or above this.
    public var crossCategoryThreshold: Double
    /// Candidates received more than this before (or after) the new case are not considered.
    public var windowSeconds: Double
    /// A possible duplicate of the same enterprise whose text holds at least this share of the
    /// shorter text's shingles (and changes no crucial fact) is a duplicate: a re-send with
    /// a sentence added.
    public var containmentThreshold: Double

    public init(
        highThreshold: Double = 0.8,
        lowThreshold: Double = 0.5,
        textOnlyThreshold: Double = 0.9,
        crossCategoryThreshold: Double = 0.95,
        windowSeconds: Double = 30 * 24 * 3600,
        containmentThreshold: Double = 0.9
    ) {
        self.containmentThreshold = containmentThreshold
        self.highThreshold = highThreshold
        self.lowThreshold = lowThreshold
        self.textOnlyThreshold = textOnlyThreshold
        self.crossCategoryThreshold = crossCategoryThreshold
        self.windowSeconds = windowSeconds
    }
}
