// The element's styles (inside its shadow root, so host pages cannot break them, nor it them).
export const STYLES = `
:host { display: block; font: 15px/1.45 system-ui, sans-serif; color: #1d232b; --accent: #2a6fdb; }
* { box-sizing: border-box; }
.bar { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; margin-bottom: .6rem; }
.badge { font-weight: 600; padding: .05rem .45rem; border-radius: .3rem; background: #e7eefb; color: #163d7a; }
.model, .muted { color: #4b5563; font-size: .9em; }
.model.warn { color: #8a4b00; }
.drop { border: 2px dashed #9aa6b8; border-radius: .6rem; padding: 1.2rem; text-align: center; cursor: pointer; background: #f7f9fc; }
.drop.over { border-color: var(--accent); background: #eaf1fd; }
.drop button { font: inherit; }
.message { display: none; margin: .6rem 0; padding: .5rem .7rem; border-radius: .4rem; background: #fdecea; color: #8d1c13; }
.message.show { display: block; }
.stages { display: grid; grid-template-columns: max-content 1fr max-content; gap: .25rem .6rem; align-items: center; margin: .8rem 0; }
.stages progress { width: 100%; height: .8rem; }
.stages .note { font-variant-numeric: tabular-nums; color: #4b5563; font-size: .9em; }
.compare { position: relative; display: none; max-width: 100%; margin: .6rem 0; user-select: none; touch-action: none; }
.compare.show { display: block; width: min(100%, 56rem); }
.compare canvas { display: block; width: 100%; height: auto; }
.compare canvas.after { position: absolute; inset: 0; width: 100%; height: 100%; clip-path: inset(0 0 0 var(--split, 50%)); }
.compare .divider { position: absolute; top: 0; bottom: 0; left: var(--split, 50%); width: 2px; background: #fff; box-shadow: 0 0 3px #0008; pointer-events: none; }
.compare .label { position: absolute; top: .4rem; padding: 0 .35rem; font-size: .8em; background: #000a; color: #fff; border-radius: .2rem; }
.compare .label.before { left: .4rem; } .compare .label.after { right: .4rem; }
.controls { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: center; }
.controls input[type=range] { width: min(30rem, 100%); }
.controls a.download { display: none; padding: .3rem .8rem; border-radius: .35rem; background: var(--accent); color: #fff; text-decoration: none; }
.controls a.download.show { display: inline-block; }
.timings { margin: .6rem 0; border-collapse: collapse; font-variant-numeric: tabular-nums; }
.timings td { padding: .1rem .8rem .1rem 0; }
.timings td:last-child { text-align: right; }
details { margin-top: .6rem; color: #4b5563; font-size: .9em; }
pre { white-space: pre-wrap; word-break: break-all; }
`;
