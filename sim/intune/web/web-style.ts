/**
 * The pages' one stylesheet, inlined in every page (no external file, no web font): a Fluent-like
 * look (header, side navigation, cards, tables, status pills, charts), responsive down to a
 * phone's width (the navigation becomes a row, tables scroll or drop optional columns, cards
 * stack). Its SHA-256 goes into the Content-Security-Policy.
 */
import { createHash } from 'node:crypto';

/** The stylesheet. */
export const STYLE = `
:root{--bg:#f5f5f5;--card:#fff;--ink:#242424;--muted:#616161;--line:#e0e0e0;--accent:#0f6cbd;--accent-dark:#0c3b5e;
--ok:#107c10;--bad:#c50f1f;--warn:#bc4b09;--busy:#0f6cbd;--idle:#8a8886;--ok-bg:#dff6dd;--bad-bg:#fde7e9;--warn-bg:#fff4ce;--busy-bg:#e8f1fb;--idle-bg:#f0f0f0;
font-family:"Segoe UI",system-ui,-apple-system,"Helvetica Neue",Arial,sans-serif;font-size:14px;color:var(--ink);background:var(--bg)}
*{box-sizing:border-box}body{margin:0;min-height:100vh}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.top{display:flex;align-items:center;gap:16px;background:var(--accent-dark);color:#fff;padding:0 16px;height:48px}
.top .brand{font-weight:600;font-size:15px;color:#fff;white-space:nowrap}.top .brand small{font-weight:400;opacity:.8}
.top .who{margin-left:auto;display:flex;align-items:center;gap:12px;min-width:0}
.top .who span{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:13px;opacity:.9}
.top form{margin:0}.top button{background:transparent;color:#fff;border:1px solid rgba(255,255,255,.5);border-radius:4px;padding:4px 10px;cursor:pointer;font:inherit}
.shell{display:grid;grid-template-columns:220px 1fr;min-height:calc(100vh - 48px)}
nav.side{background:#fafafa;border-right:1px solid var(--line);padding:12px 0}
nav.side a{display:block;padding:9px 20px;color:var(--ink);border-left:3px solid transparent}
nav.side a.on{background:#ebf3fc;border-left-color:var(--accent);font-weight:600}nav.side a:hover{background:#f0f0f0;text-decoration:none}
nav.side .group{padding:14px 20px 4px;font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
main{padding:20px 28px;min-width:0}
.crumbs{font-size:13px;color:var(--muted);margin-bottom:6px}.crumbs a{color:var(--muted)}
h1{font-size:24px;font-weight:600;margin:0 0 16px;word-break:break-word}h2{font-size:17px;font-weight:600;margin:0 0 12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin-bottom:16px;box-shadow:0 1px 2px rgba(0,0,0,.04);min-width:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px;margin-bottom:16px}.cards>.card{margin-bottom:0}
.charts{grid-template-columns:repeat(auto-fit,minmax(420px,1fr))}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-bottom:16px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}.kpi b{display:block;font-size:24px;font-weight:600}.kpi span{color:var(--muted);font-size:13px}
dl.props{display:grid;grid-template-columns:minmax(140px,max-content) 1fr;gap:8px 18px;margin:0}dl.props dt{color:var(--muted)}dl.props dd{margin:0;overflow-wrap:anywhere}.id{font-family:Consolas,"Cascadia Mono",Menlo,monospace;font-size:13px}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}th{font-weight:600;font-size:13px;color:var(--muted);white-space:nowrap}
tbody tr:hover{background:#fafafa}td.num,th.num{text-align:right}
.pill{display:inline-block;border-radius:10px;padding:1px 10px;font-size:12px;font-weight:600;white-space:nowrap}
.pill.ok{background:var(--ok-bg);color:var(--ok)}.pill.bad{background:var(--bad-bg);color:var(--bad)}.pill.warn{background:var(--warn-bg);color:var(--warn)}
.pill.busy{background:var(--busy-bg);color:var(--busy)}.pill.idle,.pill.none{background:var(--idle-bg);color:#424242}
.banner{border-radius:6px;padding:10px 14px;margin-bottom:16px;border:1px solid}.banner.info{background:var(--busy-bg);border-color:#b4d6fa}
.banner.bad{background:var(--bad-bg);border-color:#f1bbbc}.banner.ok{background:var(--ok-bg);border-color:#9fd89f}
form.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:end;margin-bottom:12px}form.filters label{display:flex;flex-direction:column;gap:4px;font-size:12px;color:var(--muted);flex:0 1 220px}
input,select{font:inherit;padding:6px 8px;border:1px solid #c7c7c7;border-radius:4px;background:#fff;min-width:0}
.btn,button.btn{display:inline-block;font:inherit;font-weight:600;padding:6px 14px;border-radius:4px;border:1px solid #c7c7c7;background:#fff;color:var(--ink);cursor:pointer;text-decoration:none}
.btn.primary{background:var(--accent);border-color:var(--accent);color:#fff}.btn.danger{background:var(--bad);border-color:var(--bad);color:#fff}
.btn:hover{text-decoration:none;filter:brightness(.96)}.btn[disabled]{opacity:.5;cursor:not-allowed}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:16px}
.pager{display:flex;align-items:center;gap:12px;margin-top:12px;color:var(--muted);flex-wrap:wrap}
.secret{font-family:Consolas,"Cascadia Mono",Menlo,monospace;font-size:15px;letter-spacing:.04em;word-break:break-all}
.pw-row{display:flex;flex-wrap:wrap;align-items:center;gap:8px}.muted{color:var(--muted)}.empty{color:var(--muted);font-style:italic}
.sub{margin-top:18px}ul.conflicts{margin:4px 0 0;padding-left:18px}
.depth-1{padding-left:28px}.depth-2{padding-left:48px}.depth-3{padding-left:68px}
.chart{width:100%;height:auto;display:block}.chart .axis{font-size:13px;fill:var(--muted)}.chart .label{font-size:15px;fill:var(--ink)}.chart .value{font-size:14px;fill:var(--muted)}
.chart .grid{stroke:#eee}.chart .base{stroke:#bdbdbd}.chart .total{font-size:26px;font-weight:600;fill:var(--ink)}
.mark.accent,.swatch.accent{fill:var(--accent);background:var(--accent)}.mark.ok,.swatch.ok{fill:var(--ok);background:var(--ok)}.mark.bad,.swatch.bad{fill:var(--bad);background:var(--bad)}
.mark.warn,.swatch.warn{fill:#e3a21a;background:#e3a21a}.mark.busy,.swatch.busy{fill:#5ca9e8;background:#5ca9e8}.mark.idle,.swatch.idle{fill:#8a8886;background:#8a8886}.mark.none,.swatch.none{fill:#d6d6d6;background:#d6d6d6}
.arc{fill:none;stroke-width:26}.arc.ok{stroke:var(--ok)}.arc.bad{stroke:var(--bad)}.arc.warn{stroke:#e3a21a}.arc.busy{stroke:#5ca9e8}.arc.idle{stroke:#8a8886}.arc.none{stroke:#d6d6d6}.arc.accent{stroke:var(--accent)}
.track{fill:none;stroke:#eee;stroke-width:26}
.donut{display:flex;align-items:center;gap:18px;flex-wrap:wrap}.donut-svg{width:180px;flex:none}
.legend{list-style:none;margin:0;padding:0;flex:1;min-width:160px}.legend li{display:flex;align-items:center;gap:8px;padding:3px 0}
.swatch{width:12px;height:12px;border-radius:3px;display:inline-block;flex:none}.legend-value{margin-left:auto;font-weight:600}
.live{font-size:12px;color:var(--muted)}.live.on::before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;background:var(--ok);margin-right:6px}
dialog{border:none;border-radius:8px;padding:22px;max-width:460px;width:calc(100% - 32px);box-shadow:0 8px 32px rgba(0,0,0,.25)}dialog::backdrop{background:rgba(0,0,0,.35)}
.login{max-width:420px;margin:10vh auto;padding:0 16px}.login .card{padding:28px}.login label{display:block;margin:14px 0 6px;font-weight:600}
.login input{width:100%}.login .btn{margin-top:16px;width:100%}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:760px){
.shell{display:block}nav.side{display:flex;overflow-x:auto;border-right:none;border-bottom:1px solid var(--line);padding:0}
nav.side a{white-space:nowrap;border-left:none;border-bottom:3px solid transparent;padding:10px 14px}nav.side a.on{border-bottom-color:var(--accent)}nav.side .group{display:none}
main{padding:14px 12px}h1{font-size:20px}.top .who span{display:none}.cards{grid-template-columns:1fr}
.opt{display:none}dl.props{grid-template-columns:1fr;gap:2px}dl.props dd{margin-bottom:8px}.donut-svg{width:140px}.charts{grid-template-columns:1fr}
form.filters label{flex:1 1 100%}form.filters input,form.filters select{width:100%}
table.stack thead{display:none}table.stack tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}
table.stack td{display:flex;justify-content:space-between;gap:12px;border:none;padding:3px 4px;text-align:right}
table.stack td::before{content:attr(data-label);color:var(--muted);text-align:left;font-weight:600;font-size:12px}table.stack td.opt{display:none}
}
`;

/** The stylesheet's hash source for the Content-Security-Policy. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;
