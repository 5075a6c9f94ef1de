/**
 * Links in HTML: the attributes that make a browser fetch or navigate (`href`, `src`, form
 * `action` — where a credential-phishing page posts the victim's password — `formaction`,
 * `background`, `data`, `poster`, `srcset`, `<meta http-equiv=refresh>`, CSS `url()`), then the
 * visible text, which often shows a different URL than the link it labels. A tolerant scan rather
 * than a DOM parser: phishing HTML is deliberately malformed and we only need attribute values.
 */
import { extractFromText, type Found, hostFound, normaliseEmail, normaliseUrl } from './observables.js';

export interface HtmlFound extends Found {
  /** The attribute (`href`, `action` …) or `text`. */
  readonly where: string;
}

// `[^<>]` rather than `[^>]`: an unclosed tag must not make every later `<` rescan to the end.
const TAG_RE = /<([a-zA-Z][a-zA-Z0-9-]*)\b([^<>]*)>/g;
// The look-behind starts a name only at a name boundary: a 4 MB run of letters is tried once, not 4M times.
const ATTR_RE = /(?<![-\w:.])([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/g;
const LINK_ATTRS = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'background',
  'data',
  'poster',
  'cite',
  'longdesc',
]);
const CSS_URL_RE = /url\(\s*['"]?([^'"()\s]+)['"]?\s*\)/gi;

export function extractFromHtml(html: string): HtmlFound[] {
  const out: HtmlFound[] = [];
  for (const tag of html.matchAll(TAG_RE)) {
    const name = tag[1]!.toLowerCase();
    const attrs = new Map<string, string>();
    for (const a of tag[2]!.matchAll(ATTR_RE)) {
      attrs.set(a[1]!.toLowerCase(), decodeEntities(a[2] ?? a[3] ?? a[4] ?? ''));
    }
    for (const [attr, value] of attrs) {
      if (LINK_ATTRS.has(attr)) addLink(value, attr, out);
      else if (attr === 'srcset')
        for (const part of value.split(',')) addLink(part.trim().split(/\s+/)[0]!, attr, out);
      else if (attr === 'style') for (const m of value.matchAll(CSS_URL_RE)) addLink(m[1]!, 'style', out);
    }
    if (name === 'meta' && attrs.get('http-equiv')?.toLowerCase() === 'refresh') {
      const m = /url\s*=\s*['"]?([^'"\s>]+)/i.exec(attrs.get('content') ?? '');
      if (m) addLink(m[1]!, 'meta-refresh', out);
    }
  }
  for (const m of html.matchAll(CSS_URL_RE)) addLink(decodeEntities(m[1]!), 'style', out);
  const text = decodeEntities(stripComments(html).replace(/<[^<>]*>/g, ' '));
  for (const f of extractFromText(text)) out.push({ ...f, where: 'text' });
  return out;
}

/** Removes `<!-- … -->` in one pass; an unterminated comment runs to the end (HTML parsing rules). */
function stripComments(html: string): string {
  const parts: string[] = [];
  let at = 0;
  for (;;) {
    const open = html.indexOf('<!--', at);
    if (open === -1) break;
    parts.push(html.slice(at, open), ' ');
    const close = html.indexOf('-->', open + 4);
    if (close === -1) return parts.join('');
    at = close + 3;
  }
  parts.push(html.slice(at));
  return parts.join('');
}

function addLink(raw: string, where: string, out: HtmlFound[]): void {
  const v = raw.trim().replace(/[\r\n\t]/g, '');
  if (v === '') return;
  if (/^mailto:/i.test(v)) {
    const addr = normaliseEmail(decodeURIComponentSafe(v.slice(7).split('?', 1)[0]!.split(',', 1)[0]!));
    if (addr) {
      out.push({ kind: 'email', value: addr.address, defanged: false, where });
      out.push({ kind: 'domain', value: addr.domain, defanged: false, where });
    }
    return;
  }
  // Protocol-relative links (`//host/path`) inherit the page's scheme; http is the safe assumption.
  const n = normaliseUrl(v.startsWith('//') ? `http:${v}` : v);
  if (!n) return;
  out.push({ kind: 'url', value: n.href, defanged: false, where });
  out.push({ ...hostFound(n, false), where });
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** HTML character references (numeric and the few named ones that matter in URLs). */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,6}));?/g, (all, dec, hex, named) => {
    if (dec !== undefined || hex !== undefined) {
      const cp = dec !== undefined ? Number(dec) : Number.parseInt(hex as string, 16);
      return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : all;
    }
    return NAMED[(named as string).toLowerCase()] ?? all;
  });
}
