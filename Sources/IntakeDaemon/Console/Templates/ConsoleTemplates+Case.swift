extension ConsoleTemplates {
    static let caseDetail = """
        {{<layout}}{{$content}}
        <h1>案件 <span class="mono" id="case-id">{{id}}</span></h1>
        {{#erased}}<p class="flash">此案件的个人信息已于 {{erased.at}} 由 {{erased.by}} 删除：{{erased.reason}}</p>{{/erased}}
        <section class="two">
          <div>
            <h2>规范字段</h2>
            <table class="fields" id="case-fields">
              {{#fields}}<tr><th>{{label}}</th><td class="{{cellClass}}">{{#link}}<a href="{{link}}">{{value}}</a>{{/link}}{{^link}}{{value}}{{/link}}</td></tr>{{/fields}}
            </table>
            <h3>诉求内容</h3>
            <div class="description" id="case-description">{{description}}</div>
            {{#hasExtra}}
            <h3>其他字段（extra）</h3>
            <table class="fields">{{#extra}}<tr><th>{{name}}</th><td class="mono">{{value}}</td></tr>{{/extra}}</table>
            {{/hasExtra}}
          </div>
          <div>
            <h2>原始输入与附件</h2>
            <ul class="downloads">
              <li>{{#rawAvailable}}<a id="raw-download" href="/cases/{{id}}/raw">下载原始输入</a>{{/rawAvailable}}{{^rawAvailable}}原始输入{{rawState}}{{/rawAvailable}}
                <span class="detail">sha256 {{rawSHA256}}</span></li>
              {{#attachments}}<li><a href="/cases/{{caseID}}/attachments/{{sha256}}">{{name}}</a> <span class="detail">{{mediaType}} · {{size}} 字节</span></li>{{/attachments}}
            </ul>
            <h2>查重说明</h2>
            {{#dedup}}
            <p id="dedup-decision">{{decision}}</p>
            <table class="fields">
              <tr><th>身份标识</th><td>{{identity}}</td></tr>
              <tr><th>分类</th><td>{{category}}</td></tr>
              <tr><th>阈值</th><td>{{thresholds}}</td></tr>
            </table>
            {{#hasCandidates}}
            <table class="grid">
              <thead><tr><th>候选案件</th><th>相似度</th><th>共同标识</th><th>判定</th><th>理由</th></tr></thead>
              <tbody>{{#candidates}}<tr><td><a href="/cases/{{id}}">{{shortID}}</a></td><td class="num">{{similarity}}</td><td>{{keys}}</td><td>{{verdict}}</td><td class="text">{{reason}}</td></tr>{{/candidates}}</tbody>
            </table>
            {{/hasCandidates}}
            {{^hasCandidates}}<p class="note">窗口内没有共享身份标识或文本特征的案件。</p>{{/hasCandidates}}
            {{/dedup}}
            {{^dedup}}<p class="note">未记录查重结果（查重关闭，或为邮件跟进件）。</p>{{/dedup}}
          </div>
        </section>
        <section id="linked">
          <h2>关联案件 <small>此后提交的重复件、疑似重复件与跟进件</small></h2>
          {{#hasLinks}}{{> caseRows}}{{/hasLinks}}
          {{^hasLinks}}<p class="note">没有重复件或跟进件。</p>{{/hasLinks}}
        </section>
        <section>
          <h2>处理轨迹</h2>
          <table class="grid timeline" id="timeline">
            <thead><tr><th>时间</th><th>步骤</th><th>渠道 / 来源</th><th>操作人</th><th>详情</th></tr></thead>
            <tbody>{{#timeline}}<tr class="step-{{step}}"><td class="time">{{at}}</td><td><strong>{{label}}</strong><br><span class="detail mono">{{step}}</span></td><td>{{origin}}</td><td>{{actor}}</td><td class="mono detail-cell">{{detail}}</td></tr>{{/timeline}}</tbody>
          </table>
        </section>
        {{/content}}{{/layout}}
        """
}
