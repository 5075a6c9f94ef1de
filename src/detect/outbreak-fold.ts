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
 * A flood aimed at a sensor's own address (the inbound-flood detector) swells that sensor's log a
 * hundredfold, and its stream's hourly volume then "jumps": the sensor is fine, it recorded the
 * attack. While a flood at a sensor is open, and for the hour it ended in, a sensor-health volume
 * jump of that sensor over an hour the flood overlaps is kept as data in the flood's alert
 * (`volume_jumps` in its evidence) instead of raising a second alert for the same attack; a jump's
 * later phases follow it. A drop or silence of the sensor still alerts.
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

/** A flood at sensors' own addresses, as its findings say. */
interface Flood {
  readonly sensors: ReadonlySet<string>;
  readonly startMs: number;
  lastMs: number;
  ended: boolean;
  /** Sensor-health jump keys folded into it. */
  readonly jumps: Set<string>;
}

const HOUR_MS = 3_600_000;
/** An ended flood is remembered this long after its last minute: the hour it overlapped closes first. */
const FLOOD_AFTER_MS = 2 * HOUR_MS;
/** Floods remembered at most (a storm of floods costs bounded memory; the oldest go first). */
const FLOODS_KEPT = 1000;

export class OutbreakFold {
  private readonly open = new Map<string, Outbreak>();
  private readonly surges = new Map<string, Surge>();
  private readonly floods = new Map<string, Flood>();
  /** Sensor-health jumps folded (key → the flood's key), until the jump ends. */
  private readonly jumps = new Map<string, string>();

  /** The findings of one minute, with scans of outbreak hosts folded and outbreaks listing them. */
  apply(findings: readonly Finding[]): Finding[] {
    if (findings.length === 0) return [];
    for (const f of findings) {
      if (f.kind === 'inbound-flood') this.trackFlood(f);
      if (f.phase === 'ended') continue;
      if (f.kind === 'worm-outbreak') this.track(f);
      else if (f.kind === 'port-surge') this.trackSurge(f);
    }
    const out = findings.map((f) =>
      f.kind === 'scan' ? this.foldScan(f) : f.kind === 'sensor-health' ? this.foldJump(f) : f,
    );
    const listed = out.map((f) =>
      f.kind === 'worm-outbreak'
        ? this.withScanners(f)
        : f.kind === 'port-surge'
          ? this.surgeScanners(f)
          : f.kind === 'inbound-flood'
            ? this.withJumps(f)
            : f,
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
    for (const o of this.floods.values()) n += 1 + o.jumps.size;
    return n + this.jumps.size;
  }

  private trackFlood(f: Finding): void {
    const sensors = Array.isArray(f.evidence.sensors) ? f.evidence.sensors.map(String) : [];
    const had = this.floods.get(f.key);
    if (had) {
      had.lastMs = Math.max(had.lastMs, f.lastMs);
      had.ended ||= f.phase === 'ended';
    } else
      this.floods.set(f.key, {
        sensors: new Set(sensors),
        startMs: f.startMs,
        lastMs: f.lastMs,
        ended: f.phase === 'ended',
        jumps: new Set(),
      });
    // Ended floods are forgotten once the hours they overlapped are long closed; at most FLOODS_KEPT.
    for (const [key, o] of this.floods)
      if ((o.ended && o.lastMs + FLOOD_AFTER_MS < f.lastMs) || this.floods.size > FLOODS_KEPT)
        this.floods.delete(key);
  }

  /** A volume jump of a flooded sensor over an hour the flood overlaps is the flood's, not an alert. */
  private foldJump(f: Finding): Finding {
    if (f.subject.problem !== 'jump') return f;
    const known = this.jumps.get(f.key);
    if (f.phase === 'ended') this.jumps.delete(f.key);
    if (known !== undefined) return folded(f, known, `inbound-flood:${known}`, 'the flood at its address');
    if (f.phase !== 'opened' || f.alert === false) return f;
    const sensor = String(f.subject.sensor);
    // The jump's hour: [startMs, startMs + 1 h).
    for (const [key, o] of this.floods) {
      if (!o.sensors.has(sensor) || o.startMs >= f.startMs + HOUR_MS || o.lastMs < f.startMs) continue;
      o.jumps.add(f.key);
      this.jumps.set(f.key, key);
      // A jump whose end never comes (its stream forgotten) must not be held for ever.
      if (this.jumps.size > FLOODS_KEPT) this.jumps.delete(this.jumps.keys().next().value!);
      return folded(f, key, `inbound-flood:${key}`, 'the flood at its address');
    }
    return f;
  }

  private withJumps(f: Finding): Finding {
    const o = this.floods.get(f.key);
    if (!o || o.jumps.size === 0) return f;
    return { ...f, evidence: { ...f.evidence, volume_jumps: [...o.jumps] } };
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
