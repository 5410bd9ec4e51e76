import Foundation
import HTTPTypes
import Hummingbird
import IntakeChannels

extension AdminConsole {
    /// `/login` and `/logout`. The login form carries a token that must match a cookie set
    /// with the form (a forged cross-site login has neither); failures count against the
    /// address and the user name in `LoginThrottle`.
    func addLogin(to router: Router<ConsoleRequestContext>) {
        router.get("/login") { [self] request, _ in
            if viewer(request) != nil { return Self.redirect(to: "/") }
            return loginPage(error: nil, name: "", next: request.uri.queryParameters["next"].map(String.init), secure: secure(request))
        }
        router.post("/login") { [self] request, context in
            let form = try await Self.form(request, context)
            let name = form["user"] ?? ""
            let next = Self.localPath(form["next"] ?? request.uri.queryParameters["next"].map(String.init))
            let address = context.remoteAddress?.ipAddress ?? "-"
            let keys = ["address:" + address, "user:" + name]
            if let wait = throttle.retryAfter(keys) {
                logger.notice("console login refused: too many failures", metadata: ["intake.console.address": "\(address)"])
                var response = message(
                    .tooManyRequests, "登录尝试过多", "失败次数过多，请 \(Int(wait.rounded(.up) / 60) + 1) 分钟后再试。", viewer: nil, back: "/login")
                response.headers[.retryAfter] = String(Int(wait.rounded(.up)))
                return response
            }
            guard let expected = request.cookies[Self.loginCookie]?.value,
                constantTimeEqual(Array((form["csrf"] ?? "").utf8), Array(expected.utf8))
            else {
                return message(.forbidden, "请求被拒绝", "登录表单已过期或缺少安全令牌，请重新打开登录页。", viewer: nil, back: "/login")
            }
            let user = users.user(named: name)
            // An unknown name costs the same scrypt as a known one.
            let verified = (user?.password ?? PasswordHash.decoy).verify(form.raw("password") ?? "")
            guard let user, verified else {
                throttle.failed(keys)
                logger.notice("console login refused: wrong user name or password", metadata: ["intake.console.address": "\(address)"])
                var response = loginPage(error: "用户名或密码错误。", name: name, next: next, secure: secure(request))
                response.status = .unauthorized
                return response
            }
            throttle.succeeded("user:" + name)
            let (token, _) = sessions.open(user: user.name)
            logger.info("console login", metadata: ["intake.console.user": "\(user.name)", "intake.console.address": "\(address)"])
            var response = Self.redirect(to: next)
            response.setCookie(sessionCookie(token, request: request))
            response.setCookie(Cookie(name: Self.loginCookie, value: "", maxAge: 0, path: "/login", secure: secure(request), httpOnly: true, sameSite: .strict))
            return response
        }
        action(router, "/logout", needs: .viewer) { [self] request, _, viewer, _ in
            sessions.close(token: viewer.token)
            var response = Self.redirect(to: "/login")
            response.setCookie(Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: secure(request), httpOnly: true, sameSite: .strict))
            return response
        }
    }

    func loginPage(error: String?, name: String, next: String?, secure: Bool) -> Response {
        let token = ConsoleSessions.randomToken()
        var values: [String: Any] = ["loginToken": token, "name": name]
        if let error { values["error"] = error }
        if let next = next.map(Self.localPath), next != "/" { values["next"] = next }
        var response = pages.render("login", values, frame: ConsoleFrame(title: "登录"))
        response.setCookie(Cookie(name: Self.loginCookie, value: token, maxAge: 3600, path: "/login", secure: secure, httpOnly: true, sameSite: .strict))
        return response
    }

    func sessionCookie(_ token: String, request: Request) -> Cookie {
        Cookie(
            name: Self.sessionCookie, value: token, maxAge: settings.sessionHours * 3600, path: "/", secure: secure(request), httpOnly: true,
            sameSite: .strict)
    }

    /// `Secure` cookies when configured, or when a TLS proxy says the browser used HTTPS.
    func secure(_ request: Request) -> Bool {
        settings.secureCookie || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }
}
