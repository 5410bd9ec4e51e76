import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders the console's templates into responses, with the headers every page carries.
struct ConsolePages: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all { try library.register(text, named: name) }
        try library.register(ConsoleTemplates.caseRows, named: "caseRows")
        self.library = library
    }

    /// `template` rendered with `values`; the layout's values (user, navigation) are in `frame`.
    func render(_ template: String, _ values: [String: Any], frame: ConsoleFrame, status: HTTPResponse.Status = .ok) -> Response {
        var context = frame.values
        context.merge(values) { _, new in new }
        let text = library.render(context, withTemplate: template) ?? "template \(template) is missing"
        return Self.html(text, status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// What the layout shows around a page: who is logged in, the form token, the current tab.
struct ConsoleFrame {
    var title: String
    var nav: String?
    var viewer: ConsoleViewer?
    var flash: String?
    var refreshSecs: Int?

    var values: [String: Any] {
        var values: [String: Any] = ["title": title]
        if let nav { values["nav"] = [nav: true] }
        if let viewer {
            values["user"] = ["name": viewer.user.name, "roleLabel": viewer.user.role.label, "isAdmin": viewer.user.role.allows(.admin)] as [String: Any]
            values["csrf"] = viewer.session.csrfToken
        }
        if let flash { values["flash"] = flash }
        if let refreshSecs { values["refreshSecs"] = refreshSecs }
        return values
    }
}

/// A logged-in user with the session the request came with.
struct ConsoleViewer: Sendable {
    let user: ConsoleUser
    let session: ConsoleSessions.Session
    let token: String

    /// How the trace names what this user did in the console.
    var actor: String { "\(user.name)@console" }
}
