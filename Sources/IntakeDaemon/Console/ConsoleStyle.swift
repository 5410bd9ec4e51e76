/// The console's one style sheet, served at `/static/console.css`.
enum ConsoleStyle {
    static let css = """
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.5 "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif; color: #1f2933; background: #f4f6f8; }
        header.top { display: flex; align-items: center; gap: 24px; padding: 0 20px; background: #1f3b5c; color: #fff; min-height: 48px; flex-wrap: wrap; }
        header .brand { font-weight: bold; font-size: 16px; }
        header nav { display: flex; gap: 4px; flex: 1; flex-wrap: wrap; }
        header nav a { color: #d7e3f0; text-decoration: none; padding: 13px 12px; }
        header nav a.active, header nav a:hover { background: #2f5683; color: #fff; }
        header form.logout { display: flex; align-items: center; gap: 8px; }
        header form.logout button { background: transparent; color: #fff; border: 1px solid #7f9ab8; }
        main { padding: 16px 24px 40px; max-width: 1400px; }
        h1 { font-size: 22px; margin: 8px 0 16px; }
        h1 small, .note, .detail { color: #66788a; font-size: 12px; font-weight: normal; }
        h2 { font-size: 17px; margin: 24px 0 8px; }
        h3 { font-size: 15px; margin: 16px 0 6px; }
        a { color: #1d5fa8; }
        .mono, code, .ref { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; word-break: break-all; }
        .flash { background: #e8f4ea; border: 1px solid #9ccca6; padding: 8px 12px; }
        .error, .bad { color: #b42318; }
        .good { color: #2e7d32; }
        button { font: inherit; padding: 5px 14px; border: 1px solid #1f5fa8; background: #2565ae; color: #fff; border-radius: 3px; cursor: pointer; }
        button.danger { background: #b42318; border-color: #8f1c13; }
        input, select { font: inherit; padding: 4px 6px; border: 1px solid #b8c4cf; border-radius: 3px; }
        form.search { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: flex-end; background: #fff; padding: 12px; border: 1px solid #dde3e9; }
        form.search label { display: flex; flex-direction: column; font-size: 12px; color: #4a5a6a; }
        form.inline { display: inline-flex; gap: 6px; align-items: center; margin-right: 8px; }
        section.login { max-width: 360px; margin: 60px auto; background: #fff; padding: 24px; border: 1px solid #dde3e9; }
        section.login label { display: block; margin: 12px 0; }
        section.login input { width: 100%; margin-top: 4px; }
        section.message { background: #fff; padding: 16px 24px; border: 1px solid #dde3e9; max-width: 720px; }
        .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; }
        .figure { background: #fff; border: 1px solid #dde3e9; padding: 12px; display: flex; flex-direction: column; }
        .figure.warn { border-color: #e0913a; background: #fff8ef; }
        .figure .label { color: #4a5a6a; font-size: 12px; }
        .figure .value { font-size: 26px; font-weight: bold; color: #1f3b5c; text-decoration: none; }
        .two { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
        @media (max-width: 900px) { .two { grid-template-columns: 1fr; } }
        table { border-collapse: collapse; background: #fff; }
        table.grid { width: 100%; border: 1px solid #dde3e9; }
        table.grid th, table.grid td { border-bottom: 1px solid #e6ebf0; padding: 6px 8px; text-align: left; vertical-align: top; }
        table.grid th { background: #eef2f6; font-weight: 600; font-size: 12px; color: #3d4c5b; }
        table.fields { width: 100%; }
        table.fields th { text-align: left; padding: 4px 12px 4px 0; color: #4a5a6a; font-weight: normal; white-space: nowrap; vertical-align: top; }
        table.fields td { padding: 4px 0; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.time { white-space: nowrap; font-size: 12px; }
        td.text, .text { white-space: pre-wrap; word-break: break-word; }
        table.cases td.text { min-width: 16em; }
        td.detail-cell { max-width: 520px; white-space: pre-wrap; }
        tr.duplicate td { background: #fbfbf3; }
        .description { background: #fff; border: 1px solid #dde3e9; padding: 12px; white-space: pre-wrap; word-break: break-word; }
        svg.chart { background: #fff; border: 1px solid #dde3e9; max-width: 680px; width: 100%; height: auto; display: block; margin-bottom: 12px; }
        article.group, article.entry { background: #fff; border: 1px solid #dde3e9; padding: 8px 14px; margin: 10px 0; }
        article.entry.resolved { opacity: 0.7; }
        ul.repeats { margin: 4px 0 8px; padding-left: 20px; }
        .reason { color: #8a3b12; }
        .actions { margin-top: 12px; display: flex; gap: 10px; }
        .pager { margin-top: 12px; display: flex; gap: 16px; }
        ul.downloads { padding-left: 18px; }
        """
}
