// The `advisories` section of koban.json as the center and the CLI read it.
import { describe, expect, it } from 'vitest';
import { advisoryConfigFrom } from './config.js';

describe('the advisories section of koban.json', () => {
  it('fills in the defaults, and is optional', () => {
    const c = advisoryConfigFrom({ smtp: { host: 'mail.example', from: 'alerts@center.example' } });
    expect(c.smtp).toEqual({
      host: 'mail.example',
      port: 25,
      secure: false,
      from: 'alerts@center.example',
      rejectUnauthorized: true,
      timeoutMs: 10_000,
    });
    expect(c.webhook).toEqual({ timeoutMs: 10_000, allowHttp: false, allowPrivateTargets: false });
    expect(advisoryConfigFrom(undefined).smtp).toBeUndefined();
  });

  it('names the key at fault, a misspelt one included', () => {
    const fails = (raw: unknown) => {
      try {
        advisoryConfigFrom(raw);
        return null;
      } catch (e) {
        return [(e as { code: string }).code, (e as Error).message];
      }
    };
    expect(fails({ smtp: { host: 'mail.example', from: 'a@b.example', prot: 587 } })).toEqual([
      'E_CONFIG',
      'koban.json: advisories.smtp: Unrecognized key: "prot"',
    ]);
    expect(fails({ smpt: {} })).toEqual(['E_CONFIG', 'koban.json: advisories: Unrecognized key: "smpt"']);
    expect(fails({ retry: { maxAttempts: 0 } })?.[1]).toMatch(
      /^koban\.json: advisories\.retry\.maxAttempts: /,
    );
  });
});
