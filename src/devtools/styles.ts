/** The viewer's stylesheet, scoped under `.cc-devtools` (inserted with the panel: nothing to load). */
export const VIEWER_CSS = `
.cc-devtools { font: 12px/1.35 system-ui, sans-serif; color: #1d2330; display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; min-width: 0; max-width: 100%; }
.cc-devtools .cc-charts { display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; min-width: 0; }
.cc-devtools .cc-chart { border: 1px solid #c9cfdb; border-radius: 6px; padding: 6px; background: #fbfcfe; }
.cc-devtools .cc-chart[data-status="done"], .cc-devtools .cc-chart[data-status="stopped"], .cc-devtools .cc-chart[data-status="error"] { opacity: .6; }
.cc-devtools .cc-chart > h3 { margin: 0 0 4px; font-size: 13px; display: flex; gap: 6px; align-items: baseline; }
.cc-devtools .cc-chart > h3 small { color: #667085; font-weight: normal; }
.cc-devtools .cc-node { max-width: 100%; box-sizing: border-box; border: 1px solid #b8c0cf; border-radius: 5px; padding: 2px 4px; background: #fff; min-width: 56px; }
.cc-devtools .cc-node.cc-root { border: none; padding: 0; background: none; }
.cc-devtools .cc-node.cc-final { border-style: double; border-width: 3px; }
.cc-devtools .cc-head { display: flex; flex-wrap: wrap; gap: 2px 6px; align-items: baseline; }
.cc-devtools .cc-key { font-weight: 600; }
.cc-devtools .cc-invokes { color: #7a5af8; }
.cc-devtools .cc-events { display: flex; flex-wrap: wrap; gap: 2px; margin: 0; padding: 0; list-style: none; }
.cc-devtools .cc-events li { font: 10px ui-monospace, monospace; background: #eef1f6; border-radius: 3px; padding: 0 3px; color: #475467; }
.cc-devtools .cc-kids { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 3px; align-items: flex-start; }
.cc-devtools .cc-parallel > .cc-kids > .cc-node { border-style: dashed; }
.cc-devtools .cc-node.is-active { border-color: #12b76a; background: #ecfdf3; }
.cc-devtools .cc-node.is-active > .cc-head > .cc-key { color: #027a48; }
.cc-devtools .cc-node.is-active.cc-leaf { box-shadow: 0 0 0 2px #32d583; }
.cc-devtools .cc-timeline-box > header { display: flex; gap: 6px; align-items: center; }
.cc-devtools .cc-timeline-box h3 { margin: 0; font-size: 13px; }
.cc-devtools .cc-timeline { margin: 4px 0 0; padding: 0; list-style: none; max-height: 320px; overflow: auto; border: 1px solid #e4e7ec; border-radius: 6px; }
.cc-devtools .cc-entry { padding: 2px 6px; border-bottom: 1px solid #f2f4f7; overflow: hidden; }
.cc-devtools .cc-entry time { color: #667085; font: 11px ui-monospace, monospace; margin-right: 6px; }
.cc-devtools .cc-entry .cc-type { font-weight: 600; }
.cc-devtools .cc-entry .cc-target { color: #475467; margin-right: 4px; }
.cc-devtools .cc-entry summary { display: block; max-width: 100%; cursor: pointer; color: #475467; font: 11px ui-monospace, monospace; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.cc-devtools .cc-entry pre { margin: 2px 0; font: 11px ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
.cc-devtools .cc-empty { color: #667085; }
`;
