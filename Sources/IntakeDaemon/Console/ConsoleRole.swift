/// What a console user may do: each role can do what the one before it can.
public enum ConsoleRole: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Reads every page.
    case viewer
    /// Also replays dead letters and reprocesses quarantined input.
    case `operator`
    /// Also adds, changes and removes users.
    case admin

    public static func < (lhs: ConsoleRole, rhs: ConsoleRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Whether this role includes `needed`.
    public func allows(_ needed: ConsoleRole) -> Bool { self >= needed }

    var label: String {
        switch self {
        case .viewer: "只读"
        case .operator: "操作员"
        case .admin: "管理员"
        }
    }
}
