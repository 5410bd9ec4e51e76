import IntakeCore

/// The `admin:` section: decoded and checked here, beside the console.
extension AdminConsoleConfiguration: ConfigurationSection {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled
        case listenHost = "listen_host"
        case listenPort = "listen_port"
        case usersFile = "users_file"
        case sessionHours = "session_hours"
        case secureCookie = "secure_cookie"
        case maxLoginFailures = "max_login_failures"
        case loginLockoutSecs = "login_lockout_secs"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        enabled = try container.value(.enabled, default: enabled)
        listenHost = try container.value(.listenHost, default: listenHost)
        listenPort = try container.value(.listenPort, default: listenPort)
        usersFile = try container.value(.usersFile, default: usersFile)
        sessionHours = try container.value(.sessionHours, default: sessionHours)
        secureCookie = try container.value(.secureCookie, default: secureCookie)
        maxLoginFailures = try container.value(.maxLoginFailures, default: maxLoginFailures)
        loginLockoutSecs = try container.value(.loginLockoutSecs, default: loginLockoutSecs)
    }

    public func validate(_ report: (_ path: [ConfigPathElement], _ message: String) -> Void) {
        if !(0...65535).contains(listenPort) { report([.key("listen_port")], "expected a port from 0 to 65535") }
        if listenHost.isEmpty { report([.key("listen_host")], "must not be empty") }
        if usersFile.isEmpty { report([.key("users_file")], "must not be empty") }
        Self.positive(sessionHours, "session_hours", report)
        Self.positive(maxLoginFailures, "max_login_failures", report)
        Self.positive(loginLockoutSecs, "login_lockout_secs", report)
    }
}
