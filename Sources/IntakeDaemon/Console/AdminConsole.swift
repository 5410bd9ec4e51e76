import Foundation
import HTTPTypes
import Hummingbird
import IntakeCore
import IntakeStore
import Logging
import NIOCore

/// The admin console: server-rendered pages over the store, on a listener of its own.
/// Every page needs a session (a login with a user of the users file); every form carries
/// the session's CSRF token; what changes something needs the operator or admin role and
/// is traced with the user's name.
public final class AdminConsole: Sendable {
    let settings: AdminConsoleConfiguration
    let configuration: LoadedConfiguration
    let database: IntakeDatabase
    let blobs: BlobStore
    let users: ConsoleUserDirectory
    let userAdmin: ConsoleUserAdmin
    let sessions: ConsoleSessions
    let throttle: LoginThrottle
    let pages: ConsolePages
    let timestamps: Timestamp
    let logger: Logger
    /// Wakes the forwarder after a replay, so that the event goes out at once.
    let onQueued: @Sendable () -> Void
    let clock: @Sendable () -> Date

    static let sessionCookie = "intake_session"
    static let loginCookie = "intake_login"

    public init(
        configuration: LoadedConfiguration, database: IntakeDatabase, blobs: BlobStore, logger: Logger,
        onQueued: @escaping @Sendable () -> Void = {}, clock: @escaping @Sendable () -> Date = Date.init
    ) throws {
        settings = configuration.settings.admin
        self.configuration = configuration
        self.database = database
        self.blobs = blobs
        let file = ConsoleUsersFile(path: settings.usersFile)
        users = ConsoleUserDirectory(file: file)
        userAdmin = ConsoleUserAdmin(file: file, database: database)
        sessions = ConsoleSessions(lifetimeSecs: TimeInterval(settings.sessionHours * 3600), clock: clock)
        throttle = LoginThrottle(maxFailures: settings.maxLoginFailures, lockoutSecs: TimeInterval(settings.loginLockoutSecs), clock: clock)
        pages = try ConsolePages()
        timestamps = Timestamp(timeZone: configuration.timeZone)
        self.logger = logger
        self.onQueued = onQueued
        self.clock = clock
    }

    /// Every route of the console.
    public func router() -> Router<ConsoleRequestContext> {
        let router = Router(context: ConsoleRequestContext.self)
        router.middlewares.add(ConsoleSecurityHeaders())
        router.get("/static/console.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: ConsoleStyle.css)))
        }
        addLogin(to: router)
        addOverview(to: router)
        addCases(to: router)
        addOperations(to: router)
        addUsers(to: router)
        return router
    }

    // MARK: - Who is asking

    /// The logged-in user of a request: a live session whose user is still in the users file
    /// (removing a user ends their sessions at once); the role is the file's, now.
    func viewer(_ request: Request) -> ConsoleViewer? {
        guard let token = request.cookies[Self.sessionCookie]?.value, let session = sessions.session(token: token),
            let user = users.user(named: session.user)
        else { return nil }
        return ConsoleViewer(user: user, session: session, token: token)
    }

    /// A page for logged-in users; others are sent to the login page.
    func page(
        _ router: Router<ConsoleRequestContext>, _ path: RouterPath,
        _ handler: @escaping @Sendable (Request, ConsoleRequestContext, ConsoleViewer) async throws -> Response
    ) {
        router.get(path) { [self] request, context in
            guard let viewer = viewer(request) else { return Self.redirect(to: "/login?next=" + Self.queryEscaped(request.uri.description)) }
            return try await handler(request, context, viewer)
        }
    }

    /// A form post: a session, the session's CSRF token in the form, and the role `needed`.
    func action(
        _ router: Router<ConsoleRequestContext>, _ path: RouterPath, needs needed: ConsoleRole,
        _ handler: @escaping @Sendable (Request, ConsoleRequestContext, ConsoleViewer, ConsoleForm) async throws -> Response
    ) {
        router.post(path) { [self] request, context in
            guard let viewer = viewer(request) else { return Self.redirect(to: "/login") }
            let form = try await Self.form(request, context)
            guard ConsoleSessions.csrfMatches(viewer.session, presented: form["csrf"]) else {
                logger.notice("console form refused: CSRF token missing or wrong", metadata: ["intake.console.user": "\(viewer.user.name)", "intake.console.path": "\(request.uri.path)"])
                return message(.forbidden, "请求被拒绝", "表单缺少有效的安全令牌（CSRF）。请返回页面刷新后重试。", viewer: viewer)
            }
            guard viewer.user.role.allows(needed) else {
                logger.notice("console action refused: role", metadata: ["intake.console.user": "\(viewer.user.name)", "intake.console.path": "\(request.uri.path)"])
                return message(.forbidden, "权限不足", "此操作需要“\(needed.label)”或更高权限，当前账户为“\(viewer.user.role.label)”。", viewer: viewer)
            }
            return try await handler(request, context, viewer, form)
        }
    }

    static func form(_ request: Request, _ context: ConsoleRequestContext) async throws -> ConsoleForm {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        return ConsoleForm(String(buffer: body))
    }

    // MARK: - Answers

    func message(_ status: HTTPResponse.Status, _ heading: String, _ text: String, viewer: ConsoleViewer?, back: String = "/") -> Response {
        pages.render("message", ["heading": heading, "text": text, "back": back], frame: ConsoleFrame(title: heading, viewer: viewer), status: status)
    }

    /// After an action: back to its page, which says what was done.
    func done(_ text: String, then location: String, viewer: ConsoleViewer) -> Response {
        sessions.setFlash(text, token: viewer.token)
        return Self.redirect(to: location)
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// Only a path of this site: `next=//evil.example` or `https://…` is not followed.
    static func localPath(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.contains("\\"),
            !candidate.contains(where: { $0.isNewline || $0 == "\r" })
        else { return "/" }
        return candidate
    }

    static func queryEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }

    /// A time as the console shows it: the zone's local date and time to the second.
    func shown(_ date: Date?) -> String {
        guard let date else { return "—" }
        return String(timestamps.format(date).prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    static func channelLabel(_ channel: String) -> String {
        switch channel {
        case "webhook": "网上提交"
        case "email": "邮件"
        case "hotline": "热线"
        case "visit": "走访"
        default: channel
        }
    }

    static func short(_ id: String) -> String { String(id.suffix(12)) }
}
