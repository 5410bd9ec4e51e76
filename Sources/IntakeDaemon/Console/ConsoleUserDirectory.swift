import Foundation
import Synchronization

/// The users file as the running console sees it: read again when its size or modification
/// time changes, so that `intake admin user …` applies without a restart.
final class ConsoleUserDirectory: Sendable {
    let file: ConsoleUsersFile
    private let cache = Mutex<(stamp: [String]?, users: [ConsoleUser])>((nil, []))

    init(file: ConsoleUsersFile) { self.file = file }

    /// The current users; the last good reading when the file cannot be read now.
    func users() -> [ConsoleUser] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: file.path)
        let stamp = [
            "\((attributes?[.size] as? NSNumber)?.intValue ?? -1)",
            "\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1)",
            "\((attributes?[.systemFileNumber] as? NSNumber)?.intValue ?? -1)",
        ]
        return cache.withLock { cache in
            if cache.stamp == stamp { return cache.users }
            if let users = try? file.read() { cache = (stamp, users) } else if attributes == nil { cache = (stamp, []) }
            return cache.users
        }
    }

    func user(named name: String) -> ConsoleUser? { users().first { $0.name == name } }
}
