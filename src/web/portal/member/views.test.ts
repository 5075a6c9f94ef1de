import { describe, expect, it } from 'vitest';
import { jsonTree } from './views.js';

describe('jsonTree', () => {
  it('draws labelled values as their value, plain values on one line above nested ones, and leaves empty values out', async () => {
    const out = await jsonTree({
      subject: { value: 'FUND <b>', privacy: 'shared' },
      to: [{ address: 'a@x.example', privacy: 'recipient' }],
      relay: { value: '10.0.0.1', privacy: 'private-address' },
      cc: [],
      headers: { bcc: [], xOriginalTo: { value: null, privacy: 'recipient' } },
      userAgent: null,
      date: { value: null, privacy: 'shared' },
    });
    expect(String(out)).toBe(
      '<dl class="tree flat"><div><dt>subject</dt><dd><span class="v">FUND &lt;b&gt;</span></dd></div>' +
        '<div><dt>relay</dt><dd><span class="v">10.0.0.1</span> <small class="why">(private-address)</small></dd></div></dl>' +
        '<dl class="tree"><dt>to</dt><dd><ol class="tree"><li><dl class="tree flat"><div><dt>address</dt><dd><span class="v">a@x.example</span></dd></div>' +
        '<div><dt>privacy</dt><dd><span class="v">recipient</span></dd></div></dl></li></ol></dd></dl>',
    );
  });

  it('shows a long list in part, saying how many more', async () => {
    const out = String(await jsonTree(Array.from({ length: 203 }, (_, i) => i)));
    expect(out.match(/<li>/g)).toHaveLength(201);
    expect(out.endsWith('<li>… (+3)</li></ol>')).toBe(true);
  });
});
