import Foundation

/// What became of one file taken from a spool directory, for the spool service to archive or
/// quarantine it: the same for every channel that reads drop directories (hotline exports,
/// visit batch files).
public struct SpoolOutcome: Sendable {
    public var rawSHA256: String
    /// The file is not an input of this channel at all (no usable header, not JSON): it goes
    /// to `quarantine/` with this reason.
    public var quarantinedReason: String?
    /// The reject report written beside the file in `.work/`, archived as `NAME.errors.csv`.
    public var report: URL?
    /// The result report (each row's outcome and case) beside the file in `.work/`, archived as `NAME.result.csv`.
    public var result: URL?
    /// Cases were created or updated: the forwarder has work.
    public var changed: Bool

    public init(rawSHA256: String, quarantinedReason: String? = nil, report: URL? = nil, result: URL? = nil, changed: Bool) {
        self.rawSHA256 = rawSHA256
        self.quarantinedReason = quarantinedReason
        self.report = report
        self.result = result
        self.changed = changed
    }
}
