extension ConsoleTemplates {
    static let overview = """
        {{<layout}}{{$content}}
        <h1>概览 <small>每 {{refreshSecs}} 秒自动刷新 · {{now}}</small></h1>
        <section class="figures">
          <div class="figure"><span class="label">今日案件</span><span class="value" id="cases-today">{{casesToday}}</span></div>
          <div class="figure"><span class="label">近 7 天案件</span><span class="value" id="cases-week">{{casesWeek}}</span></div>
          <div class="figure"><span class="label">待投递（出站队列）</span><span class="value" id="outbox-depth">{{outboxDepth}}</span>
            {{#held}}<span class="note">其中 {{held}} 条等待死信</span>{{/held}}</div>
          <div class="figure"><span class="label">最早待投递</span><span class="value" id="oldest-pending">{{oldestPending}}</span></div>
          <div class="figure {{#deadWarn}}warn{{/deadWarn}}"><span class="label">死信</span><a class="value" href="/dead" id="dead-letters">{{deadLetters}}</a></div>
          <div class="figure {{#quarantineWarn}}warn{{/quarantineWarn}}"><span class="label">隔离待处理</span><a class="value" href="/quarantine" id="open-quarantine">{{openQuarantine}}</a></div>
          <div class="figure"><span class="label">近 7 天重复件占比</span><span class="value" id="duplicate-share">{{duplicateShare}}</span>
            <span class="note">{{duplicates}} / {{casesWeek}}</span></div>
        </section>
        <section>
          <h2>近 7 天各渠道案件</h2>
          <div class="two">
          {{{chart}}}
          <table class="grid" id="per-day">
            <thead><tr><th>日期</th>{{#channels}}<th>{{label}}</th>{{/channels}}<th>合计</th></tr></thead>
            <tbody>{{#days}}<tr><td>{{day}}</td>{{#counts}}<td class="num">{{.}}</td>{{/counts}}<td class="num">{{total}}</td></tr>{{/days}}</tbody>
          </table>
          </div>
        </section>
        <section class="two">
          <div>
            <h2>各来源最近输入</h2>
            <table class="grid" id="sources">
              <thead><tr><th>渠道</th><th>来源</th><th>最近输入</th></tr></thead>
              <tbody>{{#sources}}<tr><td>{{channel}}</td><td>{{source}}</td><td>{{last}}</td></tr>{{/sources}}
              {{^sources}}<tr><td colspan="3">尚无输入</td></tr>{{/sources}}</tbody>
            </table>
          </div>
          <div>
            <h2>下游投递</h2>
            <table class="grid" id="sinks">
              <thead><tr><th>出口</th><th>状态</th><th>最近送达</th><th>最近失败</th></tr></thead>
              <tbody>{{#sinks}}<tr><td>{{sink}}</td><td class="{{stateClass}}">{{state}}</td><td>{{lastDelivered}}</td><td>{{lastFailed}} <span class="detail">{{lastError}}</span></td></tr>{{/sinks}}
              {{^sinks}}<tr><td colspan="4">尚未投递</td></tr>{{/sinks}}</tbody>
            </table>
            <p class="note">近 1 分钟送达 {{deliveredLastMinute}} 条，近 1 小时 {{deliveredLastHour}} 条。</p>
          </div>
        </section>
        {{/content}}{{/layout}}
        """
}
