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

export class OutbreakFold {
  private readonly open = new Map<string, Outbreak>();

  /** The findings of one minute, with scans of outbreak hosts folded and outbreaks listing them. */
  apply(findings: readonly Finding[]): Finding[] {
    if (findings.length === 0) return [];
    for (const f of findings) if (f.kind === 'worm-outbreak' && f.phase !== 'ended') this.track(f);
    const out = findings.map((f) => (f.kind === 'scan' ? this.foldScan(f) : f));
    const listed = out.map((f) => (f.kind === 'worm-outbreak' ? this.withScanners(f) : f));
    for (const f of findings) if (f.kind === 'worm-outbreak' && f.phase === 'ended') this.open.delete(f.key);
    return listed;
  }

  /** Open outbreaks held (for the bounded-state checks). */
  stateSize(): number {
    let n = 0;
    for (const o of this.open.values()) n += 1 + o.folded.size;
    return n;
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
      return {
        ...f,
        alert: false,
        severity: 'low',
        title: `${f.title} (an infected host of ${key})`,
        record: f.record && {
          ...f.record,
          tags: f.record.tags.includes(tag) ? f.record.tags : [...f.record.tags, tag],
          alertReasons: [],
        },
        evidence: { ...f.evidence, alert_rules: [], alert_reasons: [], folded_into: key },
      };
    }
    return f;
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
