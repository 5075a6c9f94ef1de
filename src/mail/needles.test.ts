import { describe, expect, it } from 'vitest';
import { NeedleSet } from './needles.js';

describe('many needles in one pass (Aho–Corasick)', () => {
  it('replaces leftmost first, the longest at a start, case-insensitively, without overlaps', () => {
    const set = new NeedleSet([
      { text: 'example.co.jp', replacement: '[D]' },
      { text: 'mx1.example.co.jp', replacement: '[H]' },
      { text: 'Taro', replacement: '[N]' },
      { text: 'aro Y', replacement: '[X]' },
    ]);
    expect(set.replace('TARO Yamada via MX1.Example.co.jp and example.co.jp')).toBe(
      '[N] Yamada via [H] and [D]',
    );
  });

  it('skips an occurrence its boundary test refuses and takes a shorter one that passes', () => {
    const set = new NeedleSet([
      {
        text: 'taro',
        replacement: '[L]',
        accept: (s, a, b) => !/\w/.test(s[a - 1] ?? '') && !/\w/.test(s[b] ?? ''),
      },
      { text: 'tar', replacement: '[T]' },
    ]);
    expect(set.replace('?u=taro&v=taroX')).toBe('?u=[L]&v=[T]oX');
  });
});
