/**
 * Which language a page speaks: `?lang=ja|en` first (a link someone shared), then the cookie the
 * language switch sets, then the browser's `Accept-Language` (RFC 9110 §12.5.4: the highest
 * quality among the languages we have, a range `ja-JP` matching `ja`), Japanese by default.
 */
export const LANGS = ['ja', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'ja';
/** The cookie the language switch sets (a preference, not a secret). */
export const LANG_COOKIE = 'koban_lang';

export function isLang(s: string | undefined | null): s is Lang {
  return s === 'ja' || s === 'en';
}

/** The supported language the header prefers most, or null (no header, nothing we speak, `*` only). */
export function fromAcceptLanguage(header: string | undefined): Lang | null {
  if (!header) return null;
  let best: { lang: Lang; q: number; at: number } | null = null;
  // A header is short in practice; 32 ranges is plenty and bounds the work on a hostile one.
  const ranges = header.split(',').slice(0, 32);
  ranges.forEach((part, at) => {
    const [range = '', ...params] = part.trim().split(';');
    const primary = range.trim().toLowerCase().split('-')[0];
    if (!isLang(primary)) return;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (q <= 0) return;
    if (!best || q > best.q || (q === best.q && at < best.at)) best = { lang: primary, q, at };
  });
  return (best as { lang: Lang } | null)?.lang ?? null;
}

export function negotiateLang(input: {
  readonly query?: string | undefined;
  readonly cookie?: string | undefined;
  readonly acceptLanguage?: string | undefined;
}): Lang {
  if (isLang(input.query)) return input.query;
  if (isLang(input.cookie)) return input.cookie;
  return fromAcceptLanguage(input.acceptLanguage) ?? DEFAULT_LANG;
}
