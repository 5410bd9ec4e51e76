import Foundation
import Hummingbird

extension AdminConsole {
    /// `/users`: the admin role adds users, changes roles and passwords, removes users —
    /// the same changes as `intake admin user …`, traced with the admin's name. A removed
    /// user's or a changed password's sessions end at once.
    func addUsers(to router: Router<ConsoleRequestContext>) {
        page(router, "/users") { [self] request, _, viewer in
            guard viewer.user.role.allows(.admin) else {
                return message(.forbidden, "权限不足", "用户管理需要“管理员”权限。", viewer: viewer)
            }
            let roles = ConsoleRole.allCases
            let values: [String: Any] = [
                "users": users.users().map { user -> [String: Any] in
                    [
                        "name": user.name, "roleLabel": user.role.label,
                        "roles": roles.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == user.role] as [String: Any] },
                    ]
                },
                "newRoles": roles.map { ["value": $0.rawValue, "label": $0.label] },
            ]
            return pages.render("users", values, frame: ConsoleFrame(title: "用户", nav: "users", viewer: viewer, flash: sessions.takeFlash(token: viewer.token)))
        }
        action(router, "/users/add", needs: .admin) { [self] _, _, viewer, form in
            try await userChange(viewer) {
                guard let name = form["user"], let role = form["role"].flatMap(ConsoleRole.init(rawValue:)) else {
                    throw ConsoleUserAdmin.Refusal(description: "用户名和角色必填")
                }
                try await userAdmin.add(name, role: role, password: form.raw("password") ?? "", by: viewer.actor)
                return "已新增用户 \(name)（\(role.label)）"
            }
        }
        action(router, "/users/update", needs: .admin) { [self] _, _, viewer, form in
            try await userChange(viewer) {
                guard let name = form["user"] else { throw ConsoleUserAdmin.Refusal(description: "用户名必填") }
                let password = form.raw("password").flatMap { $0.isEmpty ? nil : $0 }
                try await userAdmin.change(name, role: form["role"].flatMap(ConsoleRole.init(rawValue:)), password: password, by: viewer.actor)
                if password != nil { sessions.closeAll(of: name) }
                return "已更新用户 \(name)" + (password != nil ? "，其会话已结束" : "")
            }
        }
        action(router, "/users/remove", needs: .admin) { [self] _, _, viewer, form in
            try await userChange(viewer) {
                guard let name = form["user"] else { throw ConsoleUserAdmin.Refusal(description: "用户名必填") }
                try await userAdmin.remove(name, by: viewer.actor)
                sessions.closeAll(of: name)
                return "已删除用户 \(name)"
            }
        }
    }

    private func userChange(_ viewer: ConsoleViewer, _ change: () async throws -> String) async throws -> Response {
        do {
            let what = try await change()
            logger.info("console user change", metadata: ["intake.console.user": "\(viewer.user.name)"])
            return done(what, then: "/users", viewer: viewer)
        } catch let refusal as ConsoleUserAdmin.Refusal {
            return message(.unprocessableContent, "未能修改用户", refusal.description, viewer: viewer, back: "/users")
        } catch {
            // Under the unit's ProtectSystem=strict, /etc/intake is read-only to the daemon.
            logger.error("console user change failed", metadata: ["error": "\(error)"])
            return message(
                .internalServerError, "未能修改用户", "无法写入用户文件（\(settings.usersFile)）：\(error)。可改用命令 intake admin user。", viewer: viewer, back: "/users")
        }
    }
}
