/// The console's pages as mustache templates (`{{name}}` is HTML-escaped; `{{{name}}}` is
/// used only for markup the console builds itself: the SVG chart). Kept in the binary, not
/// as resource files, so that an installed daemon needs nothing beside it.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "layout": layout, "login": login, "message": message, "overview": overview, "cases": cases, "case": caseDetail,
        "enterprise": enterprise, "dead": deadLetters, "quarantine": quarantine, "hotline": hotline, "users": users,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        {{#refreshSecs}}<meta http-equiv="refresh" content="{{refreshSecs}}">{{/refreshSecs}}
        <title>{{title}} · 企业诉求接入网关</title>
        <link rel="stylesheet" href="/static/console.css">
        </head>
        <body>
        <header class="top">
          <span class="brand">企业诉求接入网关 · 管理控制台</span>
          {{#user}}
          <nav>
            <a href="/" {{#nav.overview}}class="active"{{/nav.overview}}>概览</a>
            <a href="/cases" {{#nav.cases}}class="active"{{/nav.cases}}>案件</a>
            <a href="/enterprises" {{#nav.enterprise}}class="active"{{/nav.enterprise}}>企业档案</a>
            <a href="/dead" {{#nav.dead}}class="active"{{/nav.dead}}>死信</a>
            <a href="/quarantine" {{#nav.quarantine}}class="active"{{/nav.quarantine}}>隔离</a>
            <a href="/hotline" {{#nav.hotline}}class="active"{{/nav.hotline}}>热线文件</a>
            {{#user.isAdmin}}<a href="/users" {{#nav.users}}class="active"{{/nav.users}}>用户</a>{{/user.isAdmin}}
          </nav>
          <form class="logout" method="post" action="/logout">
            <span id="current-user">{{user.name}}（{{user.roleLabel}}）</span>
            <input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit">退出</button>
          </form>
          {{/user}}
        </header>
        <main>
        {{#flash}}<p class="flash" id="flash">{{flash}}</p>{{/flash}}
        {{$content}}{{/content}}
        </main>
        </body>
        </html>
        """

    static let login = """
        {{<layout}}{{$content}}
        <section class="login">
          <h1>登录</h1>
          {{#error}}<p class="error" id="login-error">{{error}}</p>{{/error}}
          <form method="post" action="/login">
            <input type="hidden" name="csrf" value="{{loginToken}}">
            {{#next}}<input type="hidden" name="next" value="{{next}}">{{/next}}
            <label>用户名 <input name="user" autocomplete="username" required autofocus value="{{name}}"></label>
            <label>密码 <input name="password" type="password" autocomplete="current-password" required></label>
            <button type="submit">登录</button>
          </form>
        </section>
        {{/content}}{{/layout}}
        """

    static let message = """
        {{<layout}}{{$content}}
        <section class="message">
          <h1 id="message-title">{{heading}}</h1>
          <p id="message-text">{{text}}</p>
          <p><a href="{{back}}">返回</a></p>
        </section>
        {{/content}}{{/layout}}
        """
}
