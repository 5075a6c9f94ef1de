/**
 * The periodic reports' stylesheet: the portal's, plus a cover page and A4 print rules. A report
 * file (`koban publish --out`) embeds it as a `<style>` element — a file opened from disk or printed
 * by Chromium is no page of the site and has no Content-Security-Policy, and a report must stay
 * readable when mailed or archived alone. Served by the site, the same report links it as a file
 * (`/assets/report.css`), since the site's CSP allows no inline style.
 */
import { PORTAL_CSS } from '../assets.js';

export const REPORT_CSS_PATH = '/assets/report.css';

export const REPORT_CSS = `${PORTAL_CSS}
body.report main{max-width:none}
.cover{min-height:90vh;display:flex;flex-direction:column;justify-content:center;padding:2em}
.cover .org{font-size:1.2em;color:var(--muted)}
.cover h1{font-size:2.2em}
.cover .era{font-size:1.8em;font-weight:bold;margin:.2em 0}
.cover .gregorian{font-size:1.2em}
.chapter{padding:0 2em}
@page{size:A4;margin:18mm 15mm}
@media print{
.cover{break-after:page;min-height:auto;padding-top:30%}
.chapter{break-before:page;padding:0}
figure,table{break-inside:avoid}
svg.chart{width:100%;border:none}
a{color:inherit;text-decoration:none}
}
`;
