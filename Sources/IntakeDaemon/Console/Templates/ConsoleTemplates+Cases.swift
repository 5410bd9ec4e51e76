extension ConsoleTemplates {
    /// A list of cases, shared by the search, the enterprise page and the case's links.
    static let caseRows = """
        <table class="grid cases">
          <thead><tr><th>接收时间</th><th>案件</th><th>渠道</th><th>编号（ref）</th><th>企业</th><th>主题 / 内容</th><th>分类</th><th>关联</th></tr></thead>
          <tbody>
          {{#rows}}
          <tr class="{{rowClass}}">
            <td class="time">{{received}}</td>
            <td><a class="case-link" href="/cases/{{id}}">{{shortID}}</a></td>
            <td>{{channel}}<br><span class="detail">{{source}}</span></td>
            <td class="ref">{{ref}}</td>
            <td>{{enterprise}}{{#uscc}}<br><span class="detail">{{uscc}}</span>{{/uscc}}</td>
            <td class="text"><strong>{{subject}}</strong> {{excerpt}}</td>
            <td>{{category}}</td>
            <td>{{#duplicateOf}}重复于 <a href="/cases/{{duplicateOf}}">{{duplicateOfShort}}</a>{{/duplicateOf}}
                {{#possibleOf}}疑似重复 <a href="/cases/{{possibleOf}}">{{possibleOfShort}}</a>{{/possibleOf}}
                {{#followupOf}}跟进 <a href="/cases/{{followupOf}}">{{followupOfShort}}</a>{{/followupOf}}</td>
          </tr>
          {{/rows}}
          </tbody>
        </table>
        """

    static let cases = """
        {{<layout}}{{$content}}
        <h1>案件查询</h1>
        <form class="search" method="get" action="/cases">
          <label>案件号 <input name="case" value="{{q.case}}" placeholder="完整 ID 或末 12 位"></label>
          <label>编号（ref） <input name="ref" value="{{q.ref}}" placeholder="工单编号、Message-ID…"></label>
          <label>Idempotency-Key <input name="key" value="{{q.key}}"></label>
          <label>企业名称或信用代码 <input name="enterprise" value="{{q.enterprise}}"></label>
          <label>电话 <input name="phone" value="{{q.phone}}"></label>
          <label>邮箱 <input name="email" value="{{q.email}}"></label>
          <label>渠道 <select name="channel"><option value="">全部</option>{{#channelOptions}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/channelOptions}}</select></label>
          <label>分类 <select name="category"><option value="">全部</option>{{#categoryOptions}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/categoryOptions}}</select></label>
          <label>接收日期自 <input name="from" type="date" value="{{q.from}}"></label>
          <label>至 <input name="to" type="date" value="{{q.to}}"></label>
          <button type="submit">查询</button>
        </form>
        {{#error}}<p class="error">{{error}}</p>{{/error}}
        <p class="note" id="result-count">共 {{total}} 件{{#pages}}，第 {{page}} / {{pageCount}} 页{{/pages}}</p>
        {{#hasRows}}
        {{> caseRows}}
        {{/hasRows}}
        <nav class="pager">
          {{#previous}}<a href="/cases?{{previous}}" id="previous-page">上一页</a>{{/previous}}
          {{#next}}<a href="/cases?{{next}}" id="next-page">下一页</a>{{/next}}
        </nav>
        {{/content}}{{/layout}}
        """

    static let enterprise = """
        {{<layout}}{{$content}}
        <h1>企业档案</h1>
        <form class="search" method="get" action="/enterprises">
          <label>统一社会信用代码 <input name="uscc" value="{{uscc}}"></label>
          <label>或企业名称 <input name="name" value="{{name}}"></label>
          <button type="submit">查看</button>
        </form>
        {{#searched}}
        <h2 id="enterprise-title">{{heading}}</h2>
        <p class="note">{{explanation}}</p>
        <p class="note" id="enterprise-count">共 {{caseCount}} 件诉求，{{groupCount}} 个原始案件；渠道：{{channelSummary}}</p>
        {{#groups}}
        <article class="group">
          <h3><a href="/cases/{{original.id}}">{{original.received}} · {{original.channel}} · {{original.subject}}</a></h3>
          <p class="text">{{original.excerpt}}</p>
          <p class="detail">ref {{original.ref}} · {{original.category}}{{#original.enterprise}} · {{original.enterprise}}{{/original.enterprise}}</p>
          {{#hasRepeats}}
          <ul class="repeats">
            {{#repeats}}<li><a href="/cases/{{id}}">{{received}} · {{channel}}</a> {{relation}} <span class="text">{{excerpt}}</span></li>{{/repeats}}
          </ul>
          {{/hasRepeats}}
        </article>
        {{/groups}}
        {{/searched}}
        {{/content}}{{/layout}}
        """
}
