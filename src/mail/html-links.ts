/**
 * Links in HTML: the attributes that make a browser fetch or navigate (`href`, `src`, form
 * `action` — where a credential-phishing page posts the victim's password — `formaction`,
 * `background`, `data`, `poster`, `srcset`, `<meta http-equiv=refresh>`, CSS `url()`), then the
 * visible text, which often shows a different URL than the link it labels. The markup is read by
 * `htmlparser2`'s tokenizer (tolerant of the deliberately malformed HTML of phishing mail, linear
 * in its input, no DOM kept): only tags, attribute values, comments and text are needed.
 */
import { Parser } from 'htmlparser2';
import { extractFromText, type Found, hostFound, normaliseEmail, normaliseUrl } from './observables.js';

export interface HtmlFound extends Found {
  /** The attribute (`href`, `action` …) or `text`. */
  readonly where: string;
}

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
  const text: string[] = [];
  readTags(html, out, {
    ontext: (t) => text.push(t),
    // A tag boundary separates words: `<td>a.example</td><td>b</td>` is not `a.exampleb`.
    boundary: () => text.push(' '),
  });
  for (const m of html.matchAll(CSS_URL_RE)) addLink(decodeEntities(m[1]!), 'style', out);
  for (const f of extractFromText(text.join(''))) out.push({ ...f, where: 'text' });
  return out;
}

interface TextSink {
  readonly ontext: (text: string) => void;
  readonly boundary: () => void;
}

/**
 * The links of every tag in document order. Markup commented out (`<!-- <a href=…> -->`) is still
 * the sender's: its tags are read too, its text is not (a browser shows none of it).
 */
function readTags(html: string, out: HtmlFound[], sink: TextSink | null): void {
  const parser = new Parser(
    {
      onopentag: (name, attribs) => {
        linksOfTag(name, attribs, out);
        sink?.boundary();
      },
      onclosetag: () => sink?.boundary(),
      ontext: (t) => sink?.ontext(t),
      oncomment: (c) => {
        if (sink) readTags(c, out, null);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
}

function linksOfTag(name: string, attribs: Readonly<Record<string, string>>, out: HtmlFound[]): void {
  for (const [attr, value] of Object.entries(attribs)) {
    if (LINK_ATTRS.has(attr)) addLink(value, attr, out);
    else if (attr === 'srcset')
      for (const part of value.split(',')) addLink(part.trim().split(/\s+/)[0]!, attr, out);
    else if (attr === 'style') for (const m of value.matchAll(CSS_URL_RE)) addLink(m[1]!, 'style', out);
  }
  if (name === 'meta' && attribs['http-equiv']?.toLowerCase() === 'refresh') {
    const m = /url\s*=\s*['"]?([^'"\s>]+)/i.exec(attribs.content ?? '');
    if (m) addLink(m[1]!, 'meta-refresh', out);
  }
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

/**
 * HTML character references (numeric and the few named ones that matter in URLs), for fragments
 * read outside the tokenizer: CSS `url()` anywhere in the markup, and forwarded header blocks
 * (inline-forward.ts).
 */
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
