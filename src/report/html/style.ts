// The report's stylesheet, inline so that the file opens anywhere with no network: a calm page
// where colour means outcome (green done, red failed, grey waiting, amber interrupted, blue live).
export const REPORT_CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--panel:#f6f8fa;--ok:#1a7f37;--okl:#4ac26b;
--fail:#cf222e;--wait:#afb8c1;--int:#bf8700;--open:#0969da;--crit:#8250df}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1280px;margin:0 auto;padding:20px 28px 60px}
h1{font-size:22px;margin:0 0 4px;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
h2{font-size:16px;margin:28px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line)}
.sub{color:var(--muted);margin:0 0 14px}
.badge{font-size:12px;font-weight:600;padding:2px 10px;border-radius:999px;color:#fff;background:var(--muted)}
.badge.done{background:var(--ok)}.badge.failed{background:var(--fail)}.badge.running{background:var(--open)}
.badge.interrupted,.badge.abandoned{background:var(--int)}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0 4px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:130px}
.card b{display:block;font-size:18px}.card span{color:var(--muted);font-size:12px}
.legend{display:flex;gap:16px;flex-wrap:wrap;color:var(--muted);font-size:12px;margin:6px 0 0}
.legend i{display:inline-block;width:18px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:8px;background:#fff}
svg text{font:11px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:var(--fg)}
svg .tick{stroke:#eaeef2}svg .axis text,svg .muted{fill:var(--muted)}
svg .zebra{fill:#f6f8fa}
.tip{position:absolute;z-index:5;pointer-events:none;background:#1f2328;color:#fff;font-size:12px;padding:5px 8px;
border-radius:6px;white-space:pre-line;max-width:420px}
.bar{rx:2}.o-ok{fill:var(--ok)}.o-failed{fill:var(--fail)}.o-wait{fill:var(--wait)}
.o-interrupted{fill:var(--int)}.o-open{fill:var(--open);animation:pulse 1.2s ease-in-out infinite}
.landing{opacity:.6}
@keyframes pulse{50%{opacity:.55}}
svg .crit-label{fill:var(--crit);font-weight:700}
svg .slots{fill:#ddf4ff;stroke:var(--open);stroke-width:1.2}svg .limit{stroke:var(--muted);stroke-dasharray:4 3}
svg .edge{fill:none;stroke:#afb8c1;stroke-width:1.2}svg .edge.crit{stroke:var(--crit);stroke-width:2.4}
svg .node rect{fill:#fff;stroke:#8c959f;rx:5}svg .node.crit rect{stroke:var(--crit);stroke-width:2.4}
svg .node.s-done rect{fill:#dafbe1}svg .node.s-failed rect{fill:#ffebe9}svg .node.s-skipped rect{fill:#fff8c5}
svg .node.s-running rect{fill:#ddf4ff}
table{border-collapse:collapse;width:100%;font-size:13px;table-layout:fixed}
td{overflow-wrap:anywhere}
.chunk{content-visibility:auto;contain-intrinsic-size:auto 4600px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--panel);font-weight:600;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.task{cursor:default}tr.task.pick{cursor:pointer}tr.task:hover{background:#f6f8fa}
.st{font-weight:600}.st.done{color:var(--ok)}.st.failed{color:var(--fail)}.st.skipped{color:var(--int)}
.st.running{color:var(--open)}.st.pending{color:var(--muted)}
.title{color:var(--muted)}.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600}
tr.failure td{background:#fff8f8;border-bottom:1px solid #ffcecb}
pre{margin:6px 0 0;padding:8px 10px;background:#0d1117;color:#e6edf3;border-radius:6px;font-size:12px;
white-space:pre-wrap;word-break:break-all;max-height:320px;overflow:auto}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0}
dt{color:var(--muted)}dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.runs{display:flex;gap:8px;flex-wrap:wrap;margin:0 0 14px}
.runs button{font:12px ui-monospace,monospace;border:1px solid var(--line);background:var(--panel);border-radius:6px;padding:4px 8px;cursor:pointer}
.runs button.on{border-color:var(--open);background:#ddf4ff}
#log{position:fixed;left:0;right:0;bottom:0;max-height:45vh;background:#0d1117;color:#e6edf3;padding:10px 20px;
box-shadow:0 -4px 16px #0003;display:none}
#log.on{display:block}#log pre{max-height:36vh;margin:6px 0 0;padding:0}
#log header{display:flex;justify-content:space-between;font-weight:600}
#log button{background:none;border:1px solid #8c959f;color:#e6edf3;border-radius:4px;cursor:pointer}
`;
