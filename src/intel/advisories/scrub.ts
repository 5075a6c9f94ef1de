/**
 * Removes what identifies recipients and reporters from every string an alert carries, counting
 * each replacement for the preview. The shareable view of a report is already scrubbed at intake
 * (mail/redact.ts); this is the second line, over everything the alert assembles — the analyst's
 * own title and body included, where a reporter's name typed from memory would otherwise go out.
 * Person names are replaced in prose only (a short name may be part of a URL or a hash's context).
 */
import { isRoleLocalPart, REDACTED_DOMAIN, REDACTED_RECIPIENT } from '../../mail/index.js';
import { REDACTED_PRIVATE } from '../reports/report-kinds.js';

export const REDACTED_REPORTER = '[reporter]';

export interface Identifiers {
  readonly addresses: Iterable<string>;
  readonly domains: Iterable<string>;
  readonly names: Iterable<string>;
  readonly values: Iterable<string>;
  /** Reporting organisations that did not consent to being named. */
  readonly orgNames: Iterable<string>;
}

export interface Scrubber {
  /** Addresses, domains, private values and organisation names: safe on any string. */
  everywhere(s: string): string;
  /** Plus person names: for prose (titles, bodies, subjects, file names). */
  prose(s: string): string;
  /** Replacements made so far. */
  readonly replaced: number;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function alternation(needles: Iterable<string>, min: number): string | null {
  const list = [...new Set([...needles].map((n) => n.trim()).filter((n) => n.length >= min))];
  if (list.length === 0) return null;
  return list
    .sort((a, b) => b.length - a.length)
    .map(escapeRe)
    .join('|');
}

/** A name and its parts: "鈴木 花子" is also "鈴木" and "花子" (redact.ts does the same). */
function nameNeedles(names: Iterable<string>): string[] {
  const out: string[] = [];
  for (const n of names) {
    const t = n.trim();
    if (t.length >= 3 || (/[^\x00-\x7f]/.test(t) && t.length >= 2)) out.push(t);
    for (const tok of t.split(/[\s,.'"()<>]+/)) {
      if (tok.length >= 3 || (/[^\x00-\x7f]/.test(tok) && tok.length >= 2)) out.push(tok);
    }
  }
  return out;
}

function localParts(addresses: Iterable<string>): string[] {
  return [...addresses]
    .map((a) => a.slice(0, a.lastIndexOf('@')))
    .filter((l) => l !== '' && !isRoleLocalPart(l));
}

export function scrubberFor(ids: Identifiers): Scrubber {
  const addressList = [...ids.addresses];
  const addresses = addressList.flatMap((a) => [a, a.replace('@', '%40')]);
  const rules: { re: RegExp; by: string; prose: boolean }[] = [];
  /** `before`/`after`: characters that may not precede/follow a match (a value is not part of a longer one). */
  const add = (
    alt: string | null,
    by: string,
    prose: boolean,
    before: string | null,
    after = 'A-Za-z0-9_-',
  ) => {
    if (alt === null) return;
    const src = before === null ? `(?:${alt})` : `(?<![${before}])(?:${alt})(?![${after}])`;
    rules.push({ re: new RegExp(src, 'gi'), by, prose });
  };
  // Addresses before the domains inside them; a domain also matches as the suffix of a host name.
  add(alternation(addresses, 3), REDACTED_RECIPIENT, false, 'A-Za-z0-9_.%+-');
  add(alternation(ids.orgNames, 2), REDACTED_REPORTER, false, null);
  add(alternation(ids.domains, 4), REDACTED_DOMAIN, false, 'A-Za-z0-9-');
  add(alternation(ids.values, 4), REDACTED_PRIVATE, false, 'A-Za-z0-9_.-');
  // A recipient's local part standing alone (a link's `?u=taro.yamada`); role names such as `info` name no one.
  add(alternation(localParts(addressList), 3), REDACTED_RECIPIENT, false, 'A-Za-z0-9_.+%-', 'A-Za-z0-9_.+-');
  add(alternation(nameNeedles(ids.names), 2), REDACTED_RECIPIENT, true, null);
  let replaced = 0;
  const apply = (s: string, prose: boolean) => {
    let out = s;
    for (const r of rules) {
      if (r.prose && !prose) continue;
      out = out.replace(r.re, () => {
        replaced++;
        return r.by;
      });
    }
    return out;
  };
  return {
    everywhere: (s) => apply(s, false),
    prose: (s) => apply(s, true),
    get replaced() {
      return replaced;
    },
  };
}
