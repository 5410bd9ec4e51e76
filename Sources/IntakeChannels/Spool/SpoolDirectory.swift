import Foundation
import IntakeStore
#if canImport(Glibc)
import Glibc
#endif

/// A directory operators drop export files into, and where they find them again afterwards.
///
/// A file is taken only when it is complete (SPEC §3.3): a marker beside it (`NAME.done` or
/// `NAME.ok`, or the same with the extension replaced), an atomic rename into the directory
/// from a temporary name, or an unchanged size and mtime for `settleSecs`. Hidden files,
/// partial names (`.part`, `.tmp`, …) and Excel's `~$` lock files are never read.
///
/// Taking a file moves it into `.work/` first, so a file being processed is never taken
/// twice, and a stop or crash leaves it there to be taken again at start-up. Afterwards it
/// moves to `archive/<yyyy-mm-dd>/` with its reject report beside it, or, with no usable
/// header, to `quarantine/` with a `.reason.txt`.
public final class SpoolDirectory {
    public struct Settings: Sendable {
        public var directory: URL
        public var archive: URL
        public var quarantine: URL
        /// Unchanged this long counts as complete; 0 turns the rule off (markers and renames only).
        public var settleSecs: Double

        public init(directory: URL, archive: URL? = nil, quarantine: URL? = nil, settleSecs: Double = 10) {
            self.directory = directory
            self.archive = archive ?? directory.appendingPathComponent("archive")
            self.quarantine = quarantine ?? directory.appendingPathComponent("quarantine")
            self.settleSecs = settleSecs
        }
    }

    public let settings: Settings
    public let work: URL
    private let watch: DirectoryWatch?
    /// Size and mtime when last looked at, and since when they have not changed.
    private var seen: [String: (size: Int, mtime: timespec, since: Date)] = [:]
    /// Names renamed into the directory since they were last looked at.
    private var renamedIn: Set<String> = []

    static let markerSuffixes = [".done", ".ok"]
    static let partialSuffixes = [".part", ".partial", ".tmp", ".temp", ".crdownload", ".filepart", ".swp", ".download", "~"]

    public init(settings: Settings) throws {
        self.settings = settings
        work = settings.directory.appendingPathComponent(".work")
        for directory in [settings.directory, work, settings.archive, settings.quarantine] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        watch = DirectoryWatch(directory: settings.directory)
    }

    /// Whether inotify watches the directory (else only the rescan finds files).
    public var isWatched: Bool { watch != nil }

    /// Whether something changed since the last call (inotify), noting the names renamed in.
    public func changed() -> Bool {
        guard let changes = watch?.drain() else { return false }
        renamedIn.formUnion(changes.movedIn)
        return changes.any
    }

    /// Files left in `.work/` by a stop or a crash: to be taken again, before anything new.
    public func leftovers() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []
        func isReport(_ name: String) -> Bool { name.hasSuffix(Self.reportSuffix) || name.hasSuffix(Self.resultSuffix) }
        for name in names where isReport(name) {
            unlink(work.appendingPathComponent(name).path)
        }
        return names.filter { !isReport($0) && !$0.hasPrefix(".") }.sorted().map { work.appendingPathComponent($0) }
            .filter(Self.isRegularFile)
    }

    /// Removes markers whose file is gone (a stop between taking a file and removing its
    /// marker), so that the next export of the same name is not taken before it is complete.
    /// Called at start-up.
    public func removeOrphanMarkers() {
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: settings.directory.path)) ?? [])
        for name in names {
            guard let suffix = Self.markerSuffixes.first(where: { name.lowercased().hasSuffix($0) }) else { continue }
            let stem = String(name.dropLast(suffix.count))
            if !names.contains(where: { $0 != name && ($0 == stem || ($0 as NSString).deletingPathExtension == stem) }) {
                unlink(settings.directory.appendingPathComponent(name).path)
            }
        }
    }

    static func isRegularFile(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The names that are complete now, oldest first; remembers what it saw for the settle rule.
    public func completeFiles(now: Date = Date()) -> [String] {
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: settings.directory.path)) ?? [])
        var complete: [(String, timespec)] = []
        for name in names where Self.isCandidate(name) {
            // lstat: a symbolic link (to a secret, to a FIFO) is not a file anyone dropped here.
            var info = stat()
            guard lstat(settings.directory.appendingPathComponent(name).path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let size = Int(info.st_size)
            let mtime = info.st_mtim
            let hasMarker = Self.markers(for: name).contains { names.contains($0) }
            var settled = false
            if let previous = seen[name], previous.size == size, previous.mtime.tv_sec == mtime.tv_sec, previous.mtime.tv_nsec == mtime.tv_nsec {
                settled = settings.settleSecs > 0 && now.timeIntervalSince(previous.since) >= settings.settleSecs
            } else {
                seen[name] = (size, mtime, now)
            }
            if hasMarker || renamedIn.contains(name) || settled { complete.append((name, mtime)) }
        }
        seen = seen.filter { names.contains($0.key) }
        renamedIn = renamedIn.intersection(names)
        return complete.sorted { ($0.1.tv_sec, $0.1.tv_nsec, $0.0) < ($1.1.tv_sec, $1.1.tv_nsec, $1.0) }.map(\.0)
    }

    /// Moves a complete file into `.work/` and removes its marker; durable when it returns.
    public func take(_ name: String) throws -> URL {
        let target = Self.unused(work.appendingPathComponent(name))
        try Self.move(settings.directory.appendingPathComponent(name), to: target)
        try DurableFile.syncDirectory(work)
        for marker in Self.markers(for: name) { unlink(settings.directory.appendingPathComponent(marker).path) }
        try DurableFile.syncDirectory(settings.directory)
        seen[name] = nil
        renamedIn.remove(name)
        return target
    }

    /// Where the reject report of a file in `.work/` is written while it is processed.
    public func reportURL(for workFile: URL) -> URL {
        workFile.appendingPathExtension(String(Self.reportSuffix.dropFirst()))
    }

    static let reportSuffix = ".errors-partial"

    /// Where the result report of a file in `.work/` is written while it is processed.
    public func resultURL(for workFile: URL) -> URL {
        workFile.appendingPathExtension(String(Self.resultSuffix.dropFirst()))
    }

    static let resultSuffix = ".result-partial"

    /// Hands a file back to the spool (a quarantined file to be taken again): written under a
    /// hidden name, renamed in, marked complete. The daemon takes it like any dropped file.
    @discardableResult
    public func handBack(_ source: URL, as name: String) throws -> URL {
        let hidden = settings.directory.appendingPathComponent(".\(UUID().uuidString).handback")
        let bytes = try Data(contentsOf: source)
        try DurableFile.writeFile(bytes, to: hidden, fsync: true)
        let target = Self.unused(settings.directory.appendingPathComponent(name), companion: ".done")
        try Self.move(hidden, to: target)
        try DurableFile.writeFile(Data(), to: URL(fileURLWithPath: target.path + ".done"), fsync: false)
        try DurableFile.syncDirectory(settings.directory)
        return target
    }

    /// Moves a processed file to `archive/<day>/`, with its reports as `NAME.errors.csv` and
    /// `NAME.result.csv` beside it.
    @discardableResult
    public func archive(_ workFile: URL, name: String, report: URL?, result: URL? = nil, day: String) throws -> URL {
        let directory = settings.archive.appendingPathComponent(day)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = Self.unused(directory.appendingPathComponent(name), companions: [".errors.csv", ".result.csv"])
        if let report {
            try Self.move(report, to: URL(fileURLWithPath: target.path + ".errors.csv"))
        }
        if let result {
            try Self.move(result, to: URL(fileURLWithPath: target.path + ".result.csv"))
        }
        try Self.move(workFile, to: target)
        try DurableFile.syncDirectory(directory)
        try DurableFile.syncDirectory(settings.archive)
        try DurableFile.syncDirectory(work)
        return target
    }

    /// Moves a file that could not be read as an export to `quarantine/`, with `NAME.reason.txt`.
    @discardableResult
    public func quarantine(_ workFile: URL, name: String, reason: String) throws -> URL {
        let target = Self.unused(settings.quarantine.appendingPathComponent(name), companion: ".reason.txt")
        try DurableFile.writeFile(Data((reason + "\n").utf8), to: URL(fileURLWithPath: target.path + ".reason.txt"), fsync: true)
        try Self.move(workFile, to: target)
        try DurableFile.syncDirectory(settings.quarantine)
        try DurableFile.syncDirectory(work)
        return target
    }

    // MARK: - Names

    static func isCandidate(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasPrefix("~$") { return false }
        let lower = name.lowercased()
        if markerSuffixes.contains(where: lower.hasSuffix) || partialSuffixes.contains(where: lower.hasSuffix) { return false }
        return !lower.hasSuffix(".errors.csv") && !lower.hasSuffix(".result.csv") && !lower.hasSuffix(".reason.txt")
    }

    /// `NAME.done`, `NAME.ok`, and the same with the extension replaced (`export.done` for `export.csv`).
    static func markers(for name: String) -> [String] {
        let stem = (name as NSString).deletingPathExtension
        var markers = markerSuffixes.map { name + $0 }
        if stem != name, !stem.isEmpty { markers += markerSuffixes.map { stem + $0 } }
        return markers
    }

    /// `url`, or `stem-2.ext`, `stem-3.ext`, … when that name (or its companion file) is taken.
    public static func unused(_ url: URL, companion: String? = nil) -> URL {
        unused(url, companions: companion.map { [$0] } ?? [])
    }

    /// `url`, or `stem-2.ext`, … when that name or any of its companion files is taken.
    public static func unused(_ url: URL, companions: [String]) -> URL {
        func taken(_ candidate: URL) -> Bool {
            FileManager.default.fileExists(atPath: candidate.path) || companions.contains { FileManager.default.fileExists(atPath: candidate.path + $0) }
        }
        guard taken(url) else { return url }
        let directory = url.deletingLastPathComponent()
        let ext = url.pathExtension
        let stem = url.deletingPathExtension().lastPathComponent
        var index = 2
        while true {
            let candidate = directory.appendingPathComponent(ext.isEmpty ? "\(stem)-\(index)" : "\(stem)-\(index).\(ext)")
            if !taken(candidate) { return candidate }
            index += 1
        }
    }

    static func move(_ source: URL, to target: URL) throws {
        guard rename(source.path, target.path) == 0 else {
            throw DurableFile.Failure(operation: "rename to \(target.path)", path: source.path, code: errno)
        }
    }
}

/// Thrown by an ingest that stopped before the end of its file (a shutdown): the file stays
/// in `.work/` and is taken again from the start.
public struct SpoolInterrupted: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "stopped before the end of the file" }
}
