/**
 * Gathers observables from every place they were found into one de-duplicated list, each with
 * its sources and one privacy verdict (private wins: a domain seen both in a link and in the
 * reporter's own relay chain is the reporter's).
 */
import { addressScope } from '../core/index.js';
import type { Found } from './observables.js';
import type { PrivacyRules, Verdict } from './privacy.js';
import type { Observable, ObservableKind, ObservableSource, Privacy, PrivacyReason } from './types.js';

const MAX_SOURCES = 20;

interface Entry {
  kind: ObservableKind;
  value: string;
  display?: string;
  defanged: boolean;
  privacy: Privacy;
  reason?: PrivacyReason;
  sources: ObservableSource[];
}

export class ObservableCollector {
  private readonly entries = new Map<string, Entry>();
  dropped = 0;

  constructor(
    private readonly rules: PrivacyRules,
    private readonly max: number,
  ) {}

  add(found: Found, source: ObservableSource, verdict?: Verdict): void {
    // Loopback, "this network" and class E addresses (RFC 6890) are never indicators.
    if (found.kind === 'ip' && addressScope(found.value) === 'bogon') return;
    const key = `${found.kind}\u0000${found.value}`;
    const v = verdict ?? this.classify(found);
    let e = this.entries.get(key);
    if (!e) {
      if (this.entries.size >= this.max) {
        this.dropped++;
        return;
      }
      e = { kind: found.kind, value: found.value, defanged: found.defanged, privacy: v.privacy, sources: [] };
      if (found.display) e.display = found.display;
      if (v.reason) e.reason = v.reason;
      this.entries.set(key, e);
    } else {
      e.defanged &&= found.defanged;
      if (v.privacy === 'private' && e.privacy === 'shared') {
        e.privacy = 'private';
        e.reason = v.reason;
      }
    }
    if (
      e.sources.length < MAX_SOURCES &&
      !e.sources.some((s) => s.origin === source.origin && s.detail === source.detail)
    ) {
      e.sources.push(source);
    }
  }

  private classify(f: Found): Verdict {
    switch (f.kind) {
      case 'email':
        return this.rules.address(f.value);
      case 'ip':
        return this.rules.ip(f.value);
      case 'domain':
        return this.rules.host(f.value);
      case 'url': {
        const host = new URL(f.value).hostname.replace(/^\[|\]$/g, '');
        return /^[\d.]+$|:/.test(host) ? this.rules.ip(host) : this.rules.host(host);
      }
    }
  }

  list(): Observable[] {
    return [...this.entries.values()].map((e) => ({ ...e, sources: [...e.sources] }));
  }
}
