/**
 * Scans by the infected hosts of a worm outbreak, folded into the outbreak. A worm spreads by
 * scanning: each infected host sweeps addresses on the worm's port, often in its own /16
 * (docs/background.md#observation), and every one of them can pass the scan alert policy on its own
 * (a large new campaign). The analyst acts on the outbreak — one alert, with its hosts — not on
 * each host, so while the worm detector reports an open outbreak, the scan of a source it counts
 * among the outbreak's infected hosts, on the outbreak's port, raises no scan alert: it is kept as
 * data (the scanner list, tagged with the outbreak) and listed in the outbreak's evidence
 * (docs/methods.md#what-deserves-an-alert). A large scan by any other source still alerts.
 *
 * A bot net ordered to spread does the same without a payload the worm detector could follow: its
 * bots sweep their neighbourhoods on the command's ports, and what the analyst acts on is the surge
 * of sources on that port (docs/background.md#botnets). So while a port surge is open, a scan whose
 * most probed port is the surge's port, and that alerts only as a large or fast-growing campaign,
 * folds into the surge the same way: a scanner on a surging port is one of the surge's sources. A
 * scan of critical-infrastructure blocks or of the domestic space still alerts on its own.
 *
 * Pure: the runner (runner.ts) passes each minute's findings of all detectors through
 * {@link OutbreakFold.apply}, which is why `koban detect`, `--eval` and live detection all fold.
 */
import type { Finding } from './finding.js';

/** Folded scanners listed per outbreak in its evidence at most (the count is exact). */
const LISTED = 50;

interface Outbreak {
  /** `port/proto` of the outbreak, or null when it has none (an ICMP family). */
  readonly port: string | null;
  sources: ReadonlySet<string>;
  /** Scanning sources folded in: source → the ports of its scan. */
  readonly folded: Map<string, readonly string[]>;
}

/** The alert rules a scan folded into a port surge may have (scan-finding.ts): campaign size only. */
const SURGE_FOLDABLE: ReadonlySet<string> = new Set(['large-campaign', 'rapid-growth']);

/** Scanners remembered per open surge for its evidence (the count beyond it is exact). */
const SURGE_KEPT = 1000;

interface Surge {
  readonly port: string;
  readonly folded: Map<string, readonly string[]>;
  more: number;
}

export class OutbreakFold {
  private readonly open = new Map<string, Outbreak>();
  private readonly surges = new Map<string, Surge>();

  /** The findings of one minute, with scans of outbreak hosts folded and outbreaks listing them. */
  apply(findings: readonly Finding[]): Finding[] {
    if (findings.length === 0) return [];
    for (const f of findings) {
      if (f.phase === 'ended') continue;
      if (f.kind === 'worm-outbreak') this.track(f);
      else if (f.kind === 'port-surge') this.trackSurge(f);
    }
    const out = findings.map((f) => (f.kind === 'scan' ? this.foldScan(f) : f));
    const listed = out.map((f) =>
      f.kind === 'worm-outbreak' ? this.withScanners(f) : f.kind === 'port-surge' ? this.surgeScanners(f) : f,
    );
    for (const f of findings) {
      if (f.phase !== 'ended') continue;
      if (f.kind === 'worm-outbreak') this.open.delete(f.key);
      else if (f.kind === 'port-surge') this.surges.delete(f.key);
    }
    return listed;
  }

  /** Open outbreaks and surges held (for the bounded-state checks). */
  stateSize(): number {
    let n = 0;
    for (const o of this.open.values()) n += 1 + o.folded.size;
    for (const o of this.surges.values()) n += 1 + o.folded.size;
    return n;
  }

  private trackSurge(f: Finding): void {
    const { port, proto } = f.subject;
    if (this.surges.has(f.key) || typeof port !== 'number' || typeof proto !== 'string') return;
    this.surges.set(f.key, { port: `${port}/${proto}`, folded: new Map(), more: 0 });
  }

  private track(f: Finding): void {
    const sources = f.members ?? new Set<string>();
    const had = this.open.get(f.key);
    if (had) {
      had.sources = sources;
      return;
    }
    const { port, proto } = f.subject;
    this.open.set(f.key, {
      port: typeof port === 'number' && typeof proto === 'string' ? `${port}/${proto}` : null,
      sources,
      folded: new Map(),
    });
  }

  private foldScan(f: Finding): Finding {
    const src = f.subject.source;
    if (typeof src !== 'string') return f;
    const ports = Array.isArray(f.subject.ports) ? f.subject.ports.map(String) : [];
    for (const [key, o] of this.open) {
      if (!o.sources.has(src) || (o.port !== null && !ports.includes(o.port))) continue;
      o.folded.set(src, ports);
      const tag = `worm-outbreak:${key}`;
      return folded(f, key, tag, `an infected host of ${key}`);
    }
    return this.foldIntoSurge(f, ports);
  }

  /** A large scan whose main port is surging is one of the surge's sources. */
  private foldIntoSurge(f: Finding, ports: readonly string[]): Finding {
    if (f.alert === false || this.surges.size === 0 || ports.length === 0) return f;
    const rules = Array.isArray(f.evidence.alert_rules) ? f.evidence.alert_rules.map(String) : [];
    if (!rules.every((r) => SURGE_FOLDABLE.has(r))) return f;
    for (const [key, o] of this.surges) {
      if (ports[0] !== o.port) continue;
      const src = String(f.subject.source);
      if (o.folded.has(src) || o.folded.size < SURGE_KEPT) o.folded.set(src, ports);
      else o.more++;
      return folded(f, key, `port-surge:${o.port}`, `a source of the surge on ${o.port}`);
    }
    return f;
  }

  private surgeScanners(f: Finding): Finding {
    const o = this.surges.get(f.key);
    if (!o || o.folded.size === 0) return f;
    return {
      ...f,
      evidence: {
        ...f.evidence,
        scanning_sources: o.folded.size + o.more,
        scanners: [...o.folded].slice(0, LISTED).map(([source, ports]) => ({ source, ports })),
      },
    };
  }

  private withScanners(f: Finding): Finding {
    const o = this.open.get(f.key);
    if (!o || o.folded.size === 0) return f;
    return {
      ...f,
      evidence: {
        ...f.evidence,
        scanning_sources: o.folded.size,
        scanners: [...o.folded].slice(0, LISTED).map(([source, ports]) => ({ source, ports })),
      },
    };
  }
}

/** A scan kept as data only, tagged with and pointing at what it folded into. */
function folded(f: Finding, key: string, tag: string, why: string): Finding {
  return {
    ...f,
    alert: false,
    severity: 'low',
    title: `${f.title} (${why})`,
    record: f.record && {
      ...f.record,
      tags: f.record.tags.includes(tag) ? f.record.tags : [...f.record.tags, tag],
      alertReasons: [],
    },
    evidence: { ...f.evidence, alert_rules: [], alert_reasons: [], folded_into: key },
  };
}
