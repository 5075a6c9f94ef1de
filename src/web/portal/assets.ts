/**
 * The portal's stylesheet, served as a file (the CSP allows no inline style). Colours meet WCAG
 * 2.1 AA contrast; TLP labels use FIRST TLP 2.0's colours (label text in colour on black:
 * CLEAR #FFFFFF, GREEN #33FF00, AMBER #FFC000, RED #FF2B2B). Japanese text uses Noto CJK first.
 */
export const PORTAL_CSS_PATH = '/assets/portal.css';

export const PORTAL_CSS = `
:root{--ink:#1b1f24;--muted:#4a5360;--line:#d0d7de;--bg:#fff;--accent:#0b5394;--band:#f3f6f9}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:var(--bg);line-height:1.6;
font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Yu Gothic",system-ui,sans-serif}
a{color:var(--accent)}
.skip{position:absolute;left:-999px}.skip:focus{left:1em;top:1em;background:#fff;padding:.4em;z-index:9}
header.site{display:flex;flex-wrap:wrap;align-items:center;gap:1em 2em;padding:.8em 2em;background:#0b2540;color:#fff}
header.site a{color:#fff}
.brand a{font-size:1.3em;font-weight:bold;text-decoration:none;margin-right:.8em}
.tagline{font-size:.85em;color:#d7e3f0}
header.site nav ul{display:flex;flex-wrap:wrap;gap:1.2em;list-style:none;margin:0;padding:0}
form.lang{margin-left:auto;display:flex;gap:.4em;align-items:center;font-size:.9em}
form.lang select,form.lang button{font:inherit;padding:.15em .4em}
.sim{margin:0;padding:.6em 2em;background:#fff3cd;border-bottom:2px solid #8a6d00;color:#3d3000}
.status{margin:0;padding:.4em 2em;background:var(--band);border-bottom:1px solid var(--line);color:var(--muted);font-size:.9em}
main{padding:1em 2em 2em;max-width:72em}
h1{font-size:1.6em;margin:.4em 0}
h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:2px solid var(--line);padding-bottom:.2em}
h3{font-size:1.05em;margin:1em 0 .4em}
.notice{color:var(--muted);font-size:.9em}
nav.months{display:flex;gap:1.5em;margin:.5em 0 1em}
table{border-collapse:collapse;margin:.4em 0 1em;font-variant-numeric:tabular-nums}
caption{text-align:left;color:var(--muted);font-size:.9em;padding:.2em 0}
th,td{border:1px solid var(--line);padding:.25em .6em}
th{background:var(--band);text-align:left}
td.n{text-align:right}
.tops{display:flex;flex-wrap:wrap;gap:0 2em}
figure{margin:1.2em 0 2em}
figcaption{font-weight:bold;margin-bottom:.3em}
svg.chart{max-width:100%;height:auto;border:1px solid var(--line);background:#fff}
.data{font-size:.9em}
.tlp-banner{margin:.5em 0}
.tlp{display:inline-block;background:#000;font-weight:bold;padding:.2em .7em;margin-right:.5em;font-family:monospace,monospace}
.tlp-clear{color:#fff}.tlp-green{color:#33ff00}.tlp-amber{color:#ffc000}.tlp-red{color:#ff2b2b}
ul.advisories{list-style:none;padding:0}ul.advisories li{padding:.5em 0;border-bottom:1px solid var(--line)}
.withdrawn{border-left:4px solid #b00020;padding:.3em .8em;background:#fdecee}
.body{white-space:pre-wrap}
form.account{display:flex;gap:.6em;align-items:center;font-size:.9em}
form.account button{font:inherit;padding:.15em .4em}
nav.member ul{display:flex;flex-wrap:wrap;gap:1.5em;list-style:none;margin:.3em 0 1em;padding:0;border-bottom:1px solid var(--line)}
nav.member li{padding:.3em 0}
.error{border-left:4px solid #b00020;padding:.3em .8em;background:#fdecee}
.done{border-left:4px solid #1e6b34;padding:.3em .8em;background:#e8f5ec}
.badge{background:#0b2540;color:#fff;padding:0 .4em;font-size:.8em}
ul.inbox li.unread a{font-weight:bold}
section.private{border:2px dashed #8a6d00;padding:.2em 1em;margin:1em 0;background:#fffbea}
section.preview-lang{border:1px solid var(--line);padding:.2em 1em;margin:1em 0;background:var(--band)}
.not-shared{background:#5c4a00;color:#fff;font-size:.8em;padding:.1em .5em;margin-left:.5em}
dl.tree{margin:.2em 0 .2em .6em}dl.tree dt{font-weight:bold;color:var(--muted)}dl.tree dd{margin:0 0 .3em 1em;overflow-wrap:anywhere}
ol.tree{margin:.2em 0;padding-left:1.6em}
dl.flat{display:flex;flex-wrap:wrap;gap:0 1.2em}dl.flat dt,dl.flat dd{display:inline;margin:0}dl.flat dt::after{content:': '}
.why{color:var(--muted)}
form.inline,div.triage form{display:inline}form.filters{margin:.5em 0 1em}
.drop.over{outline:3px dashed var(--accent)}
footer.site{border-top:1px solid var(--line);padding:.6em 2em;color:var(--muted);font-size:.85em}
`;
