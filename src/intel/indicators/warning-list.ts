/**
 * Warning lists (after MISP's warninglists): values that appear in unrelated reports for innocent
 * reasons, so they must never link reports nor be exported as malicious. They are still recorded
 * on the report. Built in:
 * - private, reserved and bogon address ranges (core `addressScope`, RFC 6890, RFC 3849);
 * - large mail, cloud, CDN and web providers, whose domains sit in every other message
 *   (webmail list shared with the e-mail privacy rules);
 * - placeholder domains (RFC 2606 `example.com/.net/.org`, JPRS's `example.co.jp`/`example.jp`);
 * - the empty file's digests;
 * - this center's own sensors (their address blocks in the sensor registry): a member quoting a
 *   scan from our sensor must not turn our sensor into an indicator.
 * Configured entries (table `warning_list_entries`, `koban warninglist add`) come on top.
 *
 * Three kinds of provider domain: `provider` lists the domain, its subdomains and URLs on them;
 * `user-content` lists the domain and subdomains but lets full URLs correlate (a specific shared
 * document on docs.google.com is an indicator; docs.google.com is not); `user-subdomain` lists
 * only the platform's own name, since each subdomain belongs to one user (evil.github.io).
 */
import { addrBytes, addressScope, type Cidr, cidrContains, parseCidr } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { MAILBOX_PROVIDERS } from '../../mail/index.js';
import type { IndicatorType } from './types.js';

type DomainKind = 'provider' | 'user-content' | 'user-subdomain';

const PROVIDERS = [
  'google.com',
  'googlemail.com',
  'gstatic.com',
  'googleapis.com',
  'googletagmanager.com',
  'google-analytics.com',
  'doubleclick.net',
  'youtube.com',
  'ytimg.com',
  '1e100.net',
  'microsoft.com',
  'office.com',
  'office365.com',
  'outlook.com',
  'live.com',
  'microsoftonline.com',
  'msftncsi.com',
  'windows.net',
  'windows.com',
  'bing.com',
  'azureedge.net',
  'onmicrosoft.com',
  'protection.outlook.com',
  'apple.com',
  'icloud.com',
  'amazon.com',
  'amazonaws.com',
  'amazonses.com',
  'cloudfront.net',
  'cloudflare.com',
  'cloudflare.net',
  'akamai.net',
  'akamaiedge.net',
  'akamaihd.net',
  'akamaitechnologies.com',
  'edgekey.net',
  'edgesuite.net',
  'fastly.net',
  'facebook.com',
  'fbcdn.net',
  'instagram.com',
  'twitter.com',
  'x.com',
  't.co',
  'linkedin.com',
  'line.me',
  'yahoo.co.jp',
  'yimg.jp',
  'yahoo.com',
  'yahoodns.net',
  'rakuten.co.jp',
  'w3.org',
  'schema.org',
  'xmlsoap.org',
  'sendgrid.net',
  'mailchimp.com',
  'list-manage.com',
  'mcsv.net',
  'mandrillapp.com',
  'sparkpostmail.com',
  'mailgun.org',
  'exacttarget.com',
  'salesforce.com',
  'adobe.com',
  'wikipedia.org',
  'example.com',
  'example.net',
  'example.org',
  'example.co.jp',
  'example.jp',
];
const USER_CONTENT = [
  'docs.google.com',
  'drive.google.com',
  'sites.google.com',
  'forms.gle',
  'storage.googleapis.com',
  'firebasestorage.googleapis.com',
  'googleusercontent.com',
  'blob.core.windows.net',
  'sharepoint.com',
  'onedrive.live.com',
  '1drv.ms',
  'dropbox.com',
  'dropboxusercontent.com',
  's3.amazonaws.com',
  'bit.ly',
  'tinyurl.com',
  'wetransfer.com',
  'box.com',
  'mega.nz',
  'discord.com',
  'cdn.discordapp.com',
  'telegra.ph',
  'github.com',
  'raw.githubusercontent.com',
  'pastebin.com',
  'forms.office.com',
];
const USER_SUBDOMAIN = [
  'github.io',
  'blogspot.com',
  'web.app',
  'firebaseapp.com',
  'herokuapp.com',
  'netlify.app',
  'vercel.app',
  'workers.dev',
  'pages.dev',
  'azurewebsites.net',
  'wixsite.com',
  'weebly.com',
  'wordpress.com',
  'ngrok.io',
  'glitch.me',
  'repl.co',
  'webflow.io',
  'godaddysites.com',
  'square.site',
];

/** The digests of the empty file: every empty attachment would otherwise link to every other. */
const EMPTY_FILE_HASHES = new Set([
  'd41d8cd98f00b204e9800998ecf8427e',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
]);

export interface ConfiguredEntry {
  readonly kind: 'domain' | 'cidr' | 'url-prefix' | 'exact';
  readonly value: string;
  readonly reason: string;
}

export interface WarningListData {
  /** Differs between lists built in one process: a worker rebuilds only when it changes. */
  readonly version: number;
  readonly configured: readonly ConfiguredEntry[];
  readonly sensors: readonly { name: string; blocks: readonly string[] }[];
}

let nextVersion = 1;

export class WarningList {
  private readonly domains = new Map<string, { kind: DomainKind; reason: string }>();
  private readonly cidrs: { cidr: Cidr; reason: string }[] = [];
  private readonly urlPrefixes: { prefix: string; reason: string }[] = [];
  private readonly exact = new Map<string, string>();

  /** What the list was built from (built-ins aside): plain data, to rebuild it in a worker thread. */
  readonly data: WarningListData;

  constructor(
    configured: readonly ConfiguredEntry[] = [],
    sensors: readonly { name: string; blocks: readonly string[] }[] = [],
  ) {
    this.data = { version: nextVersion++, configured, sensors };
    for (const d of MAILBOX_PROVIDERS) this.domains.set(d, { kind: 'provider', reason: 'webmail provider' });
    for (const d of PROVIDERS)
      this.domains.set(d, { kind: 'provider', reason: 'large provider or placeholder' });
    for (const d of USER_CONTENT) this.domains.set(d, { kind: 'user-content', reason: 'user-content host' });
    for (const d of USER_SUBDOMAIN)
      this.domains.set(d, { kind: 'user-subdomain', reason: 'user-subdomain platform' });
    for (const h of EMPTY_FILE_HASHES) this.exact.set(h, 'empty file');
    for (const s of sensors) {
      for (const b of s.blocks) {
        const c = parseCidr(b);
        if (c) this.cidrs.push({ cidr: c, reason: `own sensor ${s.name}` });
      }
    }
    for (const e of configured) {
      if (e.kind === 'domain') this.domains.set(e.value, { kind: 'provider', reason: e.reason });
      else if (e.kind === 'cidr') {
        const c = parseCidr(e.value);
        if (c) this.cidrs.push({ cidr: c, reason: e.reason });
      } else if (e.kind === 'url-prefix') this.urlPrefixes.push({ prefix: e.value, reason: e.reason });
      else this.exact.set(e.value, e.reason);
    }
  }

  static fromData(d: WarningListData): WarningList {
    return new WarningList(d.configured, d.sensors);
  }

  /** Built-in lists, the configured entries and the sensors' address blocks of one database. */
  static async load(db: RelationalDb): Promise<WarningList> {
    const entries = await db.selectFrom('warning_list_entries').select(['kind', 'value', 'reason']).execute();
    const sensors = await db.selectFrom('sensors').select(['name', 'address_blocks']).execute();
    return new WarningList(
      entries.map((e) => ({ kind: e.kind as ConfiguredEntry['kind'], value: e.value, reason: e.reason })),
      sensors.map((s) => ({ name: s.name, blocks: JSON.parse(s.address_blocks) as string[] })),
    );
  }

  /** The reason a canonical value is listed, or null. */
  check(type: IndicatorType, value: string): string | null {
    const exact = this.exact.get(value);
    if (exact !== undefined) return exact;
    switch (type) {
      case 'ipv4':
      case 'ipv6':
        return this.checkIp(value);
      case 'cidr': {
        const c = parseCidr(value);
        return c ? this.checkIp(value.slice(0, value.indexOf('/'))) : null;
      }
      case 'domain':
        return this.checkDomain(value, false);
      case 'url':
        return this.checkUrl(value);
      default:
        return null;
    }
  }

  private checkIp(ip: string): string | null {
    const scope = addressScope(ip);
    if (scope !== 'public') return `${scope} address range`;
    const bytes = addrBytes(ip);
    if (!bytes) return null;
    for (const { cidr, reason } of this.cidrs) if (cidrContains(cidr, bytes)) return reason;
    return null;
  }

  /** Longest listed suffix decides (docs.google.com is user-content although google.com is a provider). */
  private checkDomain(host: string, forUrl: boolean): string | null {
    let h = host;
    for (;;) {
      const e = this.domains.get(h);
      if (e) {
        if (e.kind === 'user-subdomain' && host !== h && host !== `www.${h}`) return null;
        if (forUrl && e.kind !== 'provider') return null;
        return e.reason;
      }
      const dot = h.indexOf('.');
      if (dot === -1) return null;
      h = h.slice(dot + 1);
    }
  }

  private checkUrl(url: string): string | null {
    for (const { prefix, reason } of this.urlPrefixes) if (url.startsWith(prefix)) return reason;
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return null;
    }
    if (host.startsWith('[')) return this.checkIp(host.slice(1, -1));
    if (/^[\d.]+$/.test(host)) return this.checkIp(host);
    const reason = this.checkDomain(host, true);
    if (reason !== null) return reason;
    // A bare site address (no path, no query) on a user-content host says nothing specific.
    const u = new URL(url);
    if (
      (u.pathname === '/' || u.pathname === '') &&
      u.search === '' &&
      this.checkDomain(host, false) !== null
    ) {
      return 'user-content host';
    }
    return null;
  }
}
