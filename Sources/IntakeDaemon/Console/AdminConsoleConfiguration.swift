/// The admin console: its own listener, its users file and how long a session lasts. Every
/// option has one default, here; the `admin:` section decodes into this type
/// (`AdminConsoleConfiguration+Configuration`).
public struct AdminConsoleConfiguration: Sendable, Hashable {
    public var enabled = false
    public var listenHost = "127.0.0.1"
    public var listenPort = 8081
    /// Written by `intake admin user add NAME --role R`: one `name:role:scrypt hash` line a user.
    public var usersFile = "/etc/intake/admin-users"
    /// A session ends this long after its login.
    public var sessionHours = 8
    /// Marks the session cookie `Secure`: set it when the console is reached through a TLS
    /// proxy (a request with `X-Forwarded-Proto: https` gets it either way).
    public var secureCookie = false
    /// Failed logins from one address, or for one user name, before logins are refused for
    /// `login_lockout_secs`.
    public var maxLoginFailures = 5
    public var loginLockoutSecs = 900

    public init() {}
}
