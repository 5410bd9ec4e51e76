extension ConsoleTemplates {
    static let deadLetters = """
        {{<layout}}{{$content}}
        <h1>死信 <small>投递已放弃的事件</small></h1>
        <p class="note">重放会以原 Idempotency-Key 重新排队；同一案件排在其后的事件随后按序发送。</p>
        {{^hasLetters}}<p id="no-dead-letters">没有死信。</p>{{/hasLetters}}
        {{#hasLetters}}
        <form method="post" action="/dead/replay" id="dead-form">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <table class="grid" id="dead-letters-table">
            <thead><tr>{{#canReplay}}<th></th>{{/canReplay}}<th>编号</th><th>死信时间</th><th>案件</th><th>事件</th><th>尝试次数</th><th>阻塞的后续事件</th><th>原因</th>{{#canReplay}}<th></th>{{/canReplay}}</tr></thead>
            <tbody>
            {{#letters}}
            <tr id="dead-{{id}}">
              {{#canReplay}}<td><input type="checkbox" name="id" value="{{id}}" aria-label="选择 {{id}}"></td>{{/canReplay}}
              <td class="num">{{id}}</td>
              <td class="time">{{deadAt}}</td>
              <td><a href="/cases/{{caseID}}">{{shortCase}}</a><br><span class="detail">{{origin}}</span></td>
              <td>{{event}}<br><span class="detail mono">{{key}}</span></td>
              <td class="num">{{attempts}}</td>
              <td class="num">{{heldBack}}{{#heldEvents}}<br><span class="detail">{{heldEvents}}</span>{{/heldEvents}}</td>
              <td class="text">{{reason}}</td>
              {{#canReplay}}<td><button type="submit" name="one" value="{{id}}" class="replay-one">重放</button></td>{{/canReplay}}
            </tr>
            {{/letters}}
            </tbody>
          </table>
          {{#canReplay}}
          <p class="actions">
            <button type="submit" name="selected" value="1" id="replay-selected">重放所选</button>
            <button type="submit" name="all" value="1" id="replay-all">全部重放</button>
          </p>
          {{/canReplay}}
        </form>
        {{^canReplay}}<p class="note" id="read-only">只读账户不能重放死信。</p>{{/canReplay}}
        {{/hasLetters}}
        {{/content}}{{/layout}}
        """

    static let quarantine = """
        {{<layout}}{{$content}}
        <h1>隔离 <small>未能成为案件的输入</small></h1>
        <p class="note">修正映射（channels/hotline.yaml）并 reload 后重新处理：通过的行成为案件，整文件交回热线目录重新读取。</p>
        <p><a href="/quarantine{{^showResolved}}?all=1{{/showResolved}}">{{#showResolved}}只看待处理{{/showResolved}}{{^showResolved}}包括已处理{{/showResolved}}</a></p>
        {{^hasEntries}}<p id="no-quarantine">隔离区为空。</p>{{/hasEntries}}
        {{#hasEntries}}
        <form method="post" action="/quarantine/reprocess" id="quarantine-form">
          <input type="hidden" name="csrf" value="{{csrf}}">
          {{#entries}}
          <article class="entry {{#resolved}}resolved{{/resolved}}" id="quarantine-{{id}}">
            <h3>{{#canReprocess}}{{^resolved}}<input type="checkbox" name="id" value="{{id}}" aria-label="选择 {{id}}"> {{/resolved}}{{/canReprocess}}
              #{{id}} · {{origin}} · {{fileName}} · {{where}} <span class="detail">{{since}}</span></h3>
            <p class="reason">原因：{{reason}}</p>
            {{#resolved}}<p class="note">已处理：{{resolvedAt}} · {{resolvedBy}} · {{resolution}}</p>{{/resolved}}
            {{#hasCells}}
            <table class="grid cells"><thead><tr><th>列</th><th>表头</th><th>内容</th></tr></thead>
              <tbody>{{#cells}}<tr><td class="num">{{column}}</td><td>{{header}}</td><td class="text">{{value}}</td></tr>{{/cells}}</tbody></table>
            {{/hasCells}}
            {{#canReprocess}}{{^resolved}}<button type="submit" name="one" value="{{id}}" class="reprocess-one">重新处理</button>{{/resolved}}{{/canReprocess}}
          </article>
          {{/entries}}
          {{#canReprocess}}<p class="actions"><button type="submit" name="selected" value="1">重新处理所选</button>
            <button type="submit" name="all" value="1">全部重新处理</button></p>{{/canReprocess}}
        </form>
        {{^canReprocess}}<p class="note">只读账户不能重新处理。</p>{{/canReprocess}}
        {{/hasEntries}}
        {{/content}}{{/layout}}
        """

    static let hotline = """
        {{<layout}}{{$content}}
        <h1>热线文件 <small>最近放入热线目录的导出文件</small></h1>
        {{^hasFiles}}<p>尚无热线文件。</p>{{/hasFiles}}
        {{#hasFiles}}
        <table class="grid" id="hotline-files">
          <thead><tr><th>时间</th><th>来源</th><th>文件</th><th>读取行数</th><th>新建</th><th>重复件</th><th>更新</th><th>已受理（重复提交）</th><th>拒收</th><th>结果</th></tr></thead>
          <tbody>
          {{#files}}
          <tr>
            <td class="time">{{at}}</td><td>{{source}}</td><td class="ref">{{name}}</td>
            <td class="num">{{rows}}</td><td class="num">{{created}}</td><td class="num">{{duplicates}}</td><td class="num">{{updated}}</td>
            <td class="num">{{repeats}}</td><td class="num">{{rejected}}</td>
            <td>{{#quarantined}}<span class="bad">整文件隔离：{{quarantined}}</span>{{/quarantined}}
              {{#hasReport}}<a class="report-link" href="/hotline/report?sha={{sha}}&amp;source={{sourceParam}}&amp;name={{nameParam}}">下载错误报告</a>{{/hasReport}}
              {{^quarantined}}{{^hasReport}}全部受理{{/hasReport}}{{/quarantined}}
              {{#archived}}<br><span class="detail">{{archived}}</span>{{/archived}}</td>
          </tr>
          {{/files}}
          </tbody>
        </table>
        {{/hasFiles}}
        {{/content}}{{/layout}}
        """

    static let users = """
        {{<layout}}{{$content}}
        <h1>用户</h1>
        <p class="note">角色：只读（查看全部页面）、操作员（另可重放死信、重新处理隔离）、管理员（另可管理用户）。命令行：<code>intake admin user add|passwd|remove|list</code>。</p>
        <table class="grid" id="users-table">
          <thead><tr><th>用户名</th><th>角色</th><th>修改</th></tr></thead>
          <tbody>
          {{#users}}
          <tr><td>{{name}}</td><td>{{roleLabel}}</td>
            <td>
              <form method="post" action="/users/update" class="inline">
                <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="user" value="{{name}}">
                <select name="role">{{#roles}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/roles}}</select>
                <input type="password" name="password" placeholder="新密码（不改则留空）" autocomplete="new-password">
                <button type="submit">保存</button>
              </form>
              <form method="post" action="/users/remove" class="inline">
                <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="user" value="{{name}}">
                <button type="submit" class="danger">删除</button>
              </form>
            </td></tr>
          {{/users}}
          </tbody>
        </table>
        <h2>新增用户</h2>
        <form method="post" action="/users/add" class="search">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>用户名 <input name="user" required pattern="[A-Za-z0-9._-]{1,64}"></label>
          <label>角色 <select name="role">{{#newRoles}}<option value="{{value}}">{{label}}</option>{{/newRoles}}</select></label>
          <label>密码 <input name="password" type="password" required minlength="8" autocomplete="new-password"></label>
          <button type="submit">新增</button>
        </form>
        {{/content}}{{/layout}}
        """
}
