/**
 * A browser without a browser, for the portal's page tests: keeps the CSRF and session cookies,
 * reads each page's form token, posts forms (URL-encoded or multipart) from this site's origin, and
 * logs a person of the API world's cast in through `/login`. Tests only.
 */
import { expect } from 'vitest';
import { type ApiWorld, PASSWORD } from './api-world.js';

export const TOKEN_RE = /name="_csrf" value="([A-Za-z0-9_-]{43})"/;

export class PortalBrowser {
  private readonly cookies = new Map<string, string>();
  token = '';

  constructor(
    private readonly w: ApiWorld,
    readonly ip = '192.0.2.10',
  ) {}

  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  private keep(r: Response): void {
    for (const line of r.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (value === '' || /Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string): Promise<{ status: number; body: string; res: Response }> {
    const res = await this.w.request(path, { cookie: this.cookie, ip: this.ip });
    this.keep(res);
    const body = await res.text();
    const m = TOKEN_RE.exec(body);
    if (m) this.token = m[1]!;
    return { status: res.status, body, res };
  }

  async post(
    path: string,
    /** A list is sent as the same field repeated (checkboxes). */
    fields: Record<string, string | readonly string[]>,
    opts: { csrf?: boolean; file?: { field: string; name: string; bytes: Uint8Array } } = {},
  ): Promise<{ status: number; body: string; res: Response }> {
    const all = opts.csrf === false ? fields : { _csrf: this.token, ...fields };
    let body: Uint8Array | string;
    let type: string;
    if (opts.file) {
      const form = new FormData();
      for (const [k, v] of Object.entries(all)) for (const one of [v].flat()) form.append(k, one);
      form.set(opts.file.field, new Blob([opts.file.bytes], { type: 'message/rfc822' }), opts.file.name);
      const req = new Request('http://localhost/', { method: 'POST', body: form });
      type = req.headers.get('Content-Type')!;
      body = new Uint8Array(await req.arrayBuffer());
    } else {
      body = new URLSearchParams(
        Object.entries(all).flatMap(([k, v]) => [v].flat().map((one): [string, string] => [k, one])),
      ).toString();
      type = 'application/x-www-form-urlencoded';
    }
    const res = await this.w.request(path, {
      method: 'POST',
      body,
      type,
      cookie: this.cookie,
      ip: this.ip,
      headers: { Origin: 'http://localhost' },
    });
    this.keep(res);
    const text = await res.text();
    const m = TOKEN_RE.exec(text);
    if (m) this.token = m[1]!;
    return { status: res.status, body: text, res };
  }

  /** Logs in through the form; expects the redirect home. */
  async login(email: string, password = PASSWORD): Promise<string> {
    await this.get('/login');
    const r = await this.post('/login', { email, password });
    expect(r.status).toBe(303);
    return r.res.headers.get('Location')!;
  }
}
