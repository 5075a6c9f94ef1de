import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { ja } from './ja.js';
import { fromAcceptLanguage, negotiateLang } from './negotiate.js';

describe('language negotiation', () => {
  it('takes ?lang first, then the cookie, then Accept-Language, and Japanese by default', () => {
    expect(negotiateLang({ query: 'en', cookie: 'ja', acceptLanguage: 'ja' })).toBe('en');
    expect(negotiateLang({ query: 'fr', cookie: 'en', acceptLanguage: 'ja' })).toBe('en');
    expect(negotiateLang({ cookie: 'xx', acceptLanguage: 'en-GB' })).toBe('en');
    expect(negotiateLang({ acceptLanguage: 'fr, de' })).toBe('ja');
    expect(negotiateLang({})).toBe('ja');
  });

  it('picks the highest quality we speak from Accept-Language (RFC 9110 §12.5.4)', () => {
    expect(fromAcceptLanguage('fr;q=1, en;q=0.5, ja;q=0.8')).toBe('ja');
    expect(fromAcceptLanguage('ja-JP;q=0.2, en-US')).toBe('en');
    expect(fromAcceptLanguage('en;q=0, ja;q=0.1')).toBe('ja');
    expect(fromAcceptLanguage('en;q=0')).toBeNull();
    expect(fromAcceptLanguage('*')).toBeNull();
    expect(fromAcceptLanguage('EN, ja')).toBe('en');
    expect(fromAcceptLanguage(`${'xx,'.repeat(10_000)}en`)).toBeNull();
  });

  it('has every Japanese key in the English catalogue, none empty', () => {
    const keys = (o: object, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`],
      );
    expect(keys(en)).toEqual(keys(ja));
    for (const cat of [ja, en])
      for (const k of keys(cat)) {
        const v = k.split('.').reduce<unknown>((o, part) => (o as Record<string, unknown>)[part], cat);
        expect(typeof v === 'function' || (typeof v === 'string' && v.length > 0), k).toBe(true);
      }
  });
});
