/**
 * A STIX 2.1 bundle read into what Koban can hold — pure, so every rule is tested on fixtures.
 * Object by object: a malformed object is a rejection with its reason and the rest is kept; a
 * valid object Koban has no equivalent for is skipped with its reason (and still recognised when
 * it comes again); reports, campaigns and indicators with patterns Koban holds values for are
 * planned for import. Labels come from the markings (markings.ts): the most restrictive TLP an
 * object carries, the importer's default when it carries none.
 */
import type { z } from 'zod';
import { KobanError } from '../../core/index.js';
import { INDICATOR_ROLES, type IndicatorRole, type Tlp } from '../../intel/index.js';
import { mostRestrictive, officialTlp, tlpOfDefinition, tlpRank } from './markings.js';
import { valuesOfPattern } from './patterns.js';
import {
  CampaignSchema,
  type Common,
  canonicalJson,
  ID_RE,
  IndicatorSchema,
  issues,
  MarkingSchema,
  type PlannedValue,
  RelationshipSchema,
  ReportSchema,
  typed,
} from './stix-objects.js';

export interface ObjectKey {
  /** Position in the bundle's `objects` (1-based). */
  readonly index: number;
  readonly id: string;
  readonly type: string;
  /** `modified`, else `created`, else "" (SCOs carry neither). */
  readonly modified: string;
  readonly sha256: string;
  readonly revoked: boolean;
}

export type { PlannedValue };

export interface PlannedIndicator extends ObjectKey {
  readonly tlp: Tlp;
  readonly values: readonly PlannedValue[];
  readonly observedMs: number;
  readonly confidence: number;
  /**
   * The role its values play: the one Koban role among its `labels` (a Koban export writes them),
   * else "mentioned".
   */
  readonly role: IndicatorRole;
  /** Campaigns it `indicates` (STIX ids). */
  readonly campaigns: readonly string[];
}

export interface PlannedReport extends ObjectKey {
  readonly tlp: Tlp;
  readonly title: string;
  readonly description: string | null;
  readonly labels: readonly string[];
  readonly observedMs: number;
  /** With the confidence and role of the indicator that gave each. */
  readonly values: readonly (PlannedValue & { readonly confidence: number; readonly role: IndicatorRole })[];
  /** Indicators whose values it holds (their own label no stricter than the report's). */
  readonly indicators: readonly string[];
  /** Every indicator its `object_refs` name, in this bundle or not: what it still holds. */
  readonly refs: readonly string[];
  readonly campaigns: readonly string[];
}

export interface PlannedCampaign extends ObjectKey {
  readonly tlp: Tlp;
  readonly name: string;
  readonly createdMs: number;
}

export interface Skipped extends ObjectKey {
  readonly reason: string;
}

export interface ObjectRejection {
  /** Position in the bundle's `objects` (1-based). */
  readonly index: number;
  readonly id: string | null;
  readonly type: string | null;
  readonly reason: string;
}

export interface ImportPlan {
  readonly bundleId: string;
  readonly objectCount: number;
  /** Name of the identity most objects say created them, when the bundle holds it. */
  readonly producer: string | null;
  readonly reports: readonly PlannedReport[];
  /** Indicators no planned report holds. */
  readonly indicators: readonly PlannedIndicator[];
  /** Indicators a planned report holds (recorded, imported through the report). */
  readonly heldIndicators: readonly PlannedIndicator[];
  readonly campaigns: readonly PlannedCampaign[];
  readonly skipped: readonly Skipped[];
  readonly rejected: readonly ObjectRejection[];
}

export interface PlanOptions {
  readonly defaultTlp: Tlp;
  /** Objects labelled above this are skipped, not imported (a federation peer's ceiling). */
  readonly maxTlp?: Tlp | undefined;
  readonly maxObjects: number;
  readonly sha256: (text: string) => string;
}

class Planner {
  readonly rejected: ObjectRejection[] = [];
  readonly skipped: Skipped[] = [];
  readonly markings = new Map<string, Tlp | { error: string } | null>();
  readonly indicators = new Map<string, PlannedIndicator>();
  readonly reports: PlannedReport[] = [];
  readonly campaigns = new Map<string, PlannedCampaign>();
  readonly indicates: { from: string; to: string }[] = [];
  readonly creators = new Map<string, number>();
  readonly identities = new Map<string, string>();

  constructor(private readonly opts: PlanOptions) {}

  key(index: number, o: Record<string, unknown>): ObjectKey {
    const m = typeof o.modified === 'string' ? o.modified : typeof o.created === 'string' ? o.created : '';
    return {
      index,
      id: String(o.id),
      type: String(o.type),
      modified: m,
      sha256: this.opts.sha256(canonicalJson(o)),
      revoked: o.revoked === true,
    };
  }

  /** The object's label, or a reason to refuse it (a marking that contradicts itself). */
  tlpOf(o: z.infer<typeof Common>): Tlp | { refused: string } {
    const refs = [
      ...(o.object_marking_refs ?? []),
      ...(o.granular_markings ?? []).map((g) => g.marking_ref).filter((r): r is string => !!r),
    ];
    let tlp: Tlp | null = null;
    for (const ref of refs) {
      const def = this.markings.get(ref);
      if (def && typeof def === 'object')
        return { refused: `its marking ${ref} is not usable (${def.error})` };
      const t = def ?? officialTlp(ref) ?? null;
      if (t) tlp = tlp ? mostRestrictive(tlp, t) : t;
    }
    return tlp ?? this.opts.defaultTlp;
  }

  reject(index: number, o: Record<string, unknown> | null, reason: string): void {
    this.rejected.push({
      index,
      id: typeof o?.id === 'string' ? o.id : null,
      type: typeof o?.type === 'string' ? o.type : null,
      reason,
    });
  }

  object(index: number, o: Record<string, unknown>): void {
    const type = o.type;
    if (type === 'marking-definition') {
      this.marking(index, o);
      return;
    }
    const schema =
      type === 'indicator'
        ? IndicatorSchema
        : type === 'report'
          ? ReportSchema
          : type === 'campaign'
            ? CampaignSchema
            : type === 'relationship'
              ? RelationshipSchema
              : null;
    if (!schema) {
      this.other(index, o);
      return;
    }
    const parsed = schema.safeParse(o);
    if (!parsed.success) {
      this.reject(index, o, issues(parsed.error));
      return;
    }
    const c = parsed.data;
    if (c.modified < c.created) {
      this.reject(index, o, 'modified is earlier than created');
      return;
    }
    const tlp = this.tlpOf(c);
    if (typeof tlp === 'object') {
      this.reject(index, o, tlp.refused);
      return;
    }
    if (c.created_by_ref) this.creators.set(c.created_by_ref, (this.creators.get(c.created_by_ref) ?? 0) + 1);
    const key = this.key(index, o);
    const max = this.opts.maxTlp;
    if (max !== undefined && tlpRank(tlp) > tlpRank(max))
      return void this.skipped.push({ ...key, reason: `TLP:${tlp} is above TLP:${max}, the most accepted` });
    if (type === 'indicator') this.indicator(index, o, IndicatorSchema.parse(o), key, tlp);
    else if (type === 'report') {
      const r = ReportSchema.parse(o);
      this.reports.push({
        ...key,
        tlp,
        title: r.name,
        description: r.description ?? null,
        labels: r.labels ?? [],
        observedMs: Date.parse(r.published),
        values: [],
        indicators: r.object_refs.filter((x) => x.startsWith('indicator--')),
        refs: r.object_refs.filter((x) => x.startsWith('indicator--')),
        campaigns: r.object_refs.filter((x) => x.startsWith('campaign--')),
      });
    } else if (type === 'campaign') {
      const n = CampaignSchema.parse(o);
      this.campaigns.set(key.id, { ...key, tlp, name: n.name, createdMs: Date.parse(n.created) });
    } else {
      const r = RelationshipSchema.parse(o);
      if (
        r.relationship_type === 'indicates' &&
        r.source_ref.startsWith('indicator--') &&
        r.target_ref.startsWith('campaign--')
      ) {
        this.indicates.push({ from: r.source_ref, to: r.target_ref });
        this.skipped.push({ ...key, reason: 'read as the campaign of its indicator' });
      } else
        this.skipped.push({
          ...key,
          reason: `relationship "${r.relationship_type}" from ${r.source_ref.split('--')[0]} to ${r.target_ref.split('--')[0]} has no Koban equivalent`,
        });
    }
  }

  indicator(
    index: number,
    o: Record<string, unknown>,
    i: z.infer<typeof IndicatorSchema>,
    key: ObjectKey,
    tlp: Tlp,
  ) {
    if (i.pattern_type !== 'stix') {
      this.skipped.push({ ...key, reason: `pattern_type "${i.pattern_type}" (Koban reads STIX patterns)` });
      return;
    }
    const read = valuesOfPattern(i.pattern);
    if (!read.ok) {
      if (read.malformed) {
        this.reject(index, o, read.reason);
        return;
      }
      this.skipped.push({ ...key, reason: `${read.reason}: not expressible as Koban values` });
      return;
    }
    const values: PlannedValue[] = [];
    for (const v of read.values) {
      const t = typed(v);
      if (!t) {
        this.reject(
          index,
          o,
          `"${v.value}" is not a valid ${v.type === 'ip' ? 'IP address or network' : v.type}`,
        );
        return;
      }
      values.push(t);
    }
    this.indicators.set(key.id, {
      ...key,
      tlp,
      values,
      observedMs: Date.parse(i.valid_from),
      confidence: i.confidence ?? 50,
      role: roleOfLabels(i.labels),
      campaigns: [],
    });
  }

  marking(index: number, o: Record<string, unknown>): void {
    const m = MarkingSchema.safeParse(o);
    if (!m.success) {
      this.reject(index, o, issues(m.error));
      return;
    }
    const t = tlpOfDefinition(o);
    this.markings.set(m.data.id, t);
    if (t && typeof t === 'object') {
      this.reject(index, o, t.error);
      return;
    }
    this.skipped.push({
      ...this.key(index, o),
      reason: t
        ? `marking TLP:${t}, applied to the objects it marks`
        : 'a marking Koban does not apply (not TLP)',
    });
  }

  other(index: number, o: Record<string, unknown>): void {
    const type = String(o.type);
    if (type === 'identity' && typeof o.name === 'string') this.identities.set(String(o.id), o.name);
    if (type === 'identity' || type === 'sighting' || type === 'observed-data') {
      this.skipped.push({
        ...this.key(index, o),
        reason:
          type === 'identity'
            ? 'identities name the source; Koban attributes imports to the importing organisation'
            : `${type}: Koban counts sightings from its own members' reports`,
      });
      return;
    }
    this.skipped.push({ ...this.key(index, o), reason: `type "${type}" has no Koban equivalent` });
  }

  finish(bundleId: string, count: number): ImportPlan {
    for (const rel of this.indicates) {
      const i = this.indicators.get(rel.from);
      if (i) this.indicators.set(rel.from, { ...i, campaigns: [...i.campaigns, rel.to] });
    }
    const held = new Set<string>();
    const reports = this.reports.map((r) => {
      const mine = r.indicators
        .map((id) => this.indicators.get(id))
        .filter((i): i is PlannedIndicator => !!i && tlpRank(i.tlp) <= tlpRank(r.tlp));
      for (const i of mine) held.add(i.id);
      const seen = new Set<string>();
      const values = mine
        .flatMap((i) => i.values.map((v) => ({ ...v, confidence: i.confidence, role: i.role })))
        .filter((v) => !seen.has(`${v.type}:${v.value}`) && seen.add(`${v.type}:${v.value}`));
      return { ...r, values, indicators: mine.map((i) => i.id) };
    });
    const producer =
      [...this.creators]
        .sort((a, b) => b[1] - a[1])
        .map(([id]) => this.identities.get(id))
        .find((n) => n) ?? null;
    const all = [...this.indicators.values()];
    return {
      bundleId,
      objectCount: count,
      producer,
      reports,
      indicators: all.filter((i) => !held.has(i.id)),
      heldIndicators: all.filter((i) => held.has(i.id)),
      campaigns: [...this.campaigns.values()],
      skipped: this.skipped,
      rejected: this.rejected,
    };
  }
}

/** Reads a parsed bundle; a file that is no bundle, or too big a one, is refused as a whole. */
export function planImport(doc: unknown, opts: PlanOptions): ImportPlan {
  const b = doc as { type?: unknown; id?: unknown; objects?: unknown };
  if (
    b === null ||
    typeof b !== 'object' ||
    b.type !== 'bundle' ||
    typeof b.id !== 'string' ||
    !ID_RE.test(b.id)
  )
    throw new KobanError(
      'E_FORMAT',
      'not a STIX 2.1 bundle (an object with "type": "bundle" and a bundle id)',
    );
  if (!Array.isArray(b.objects)) throw new KobanError('E_FORMAT', 'the bundle has no "objects" array');
  if (b.objects.length > opts.maxObjects)
    throw new KobanError(
      'E_LIMIT',
      `the bundle holds ${b.objects.length} objects; the limit is ${opts.maxObjects}`,
    );
  const p = new Planner(opts);
  const seen = new Map<string, string>();
  const kept: { index: number; o: Record<string, unknown> }[] = [];
  for (const [i, raw] of (b.objects as unknown[]).entries()) {
    const index = i + 1;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      p.reject(index, null, 'not a JSON object');
      continue;
    }
    const o = raw as Record<string, unknown>;
    const m = typeof o.id === 'string' ? ID_RE.exec(o.id) : null;
    if (typeof o.type !== 'string' || !m || m[1] !== o.type) {
      p.reject(index, o, 'needs a "type" and an "id" of the form type--UUID naming that type');
      continue;
    }
    // The same id and version twice in one bundle: one object if identical, else the first wins.
    const version = `${o.id}@${String(o.modified ?? o.created ?? '')}`;
    const sha = opts.sha256(canonicalJson(o));
    const before = seen.get(version);
    if (before !== undefined) {
      if (before !== sha)
        p.reject(index, o, 'another object with this id and modified comes earlier in the bundle');
      continue;
    }
    seen.set(version, sha);
    kept.push({ index, o });
  }
  // Markings first: an object may come before the definition of its marking.
  for (const k of kept) if (k.o.type === 'marking-definition') p.object(k.index, k.o);
  for (const k of kept) if (k.o.type !== 'marking-definition') p.object(k.index, k.o);
  return p.finish(b.id, b.objects.length);
}

/**
 * The Koban role an indicator's labels give (a Koban export lists every role its sources gave the
 * value): the one role besides "mentioned", else "mentioned" (none, or several that disagree).
 */
export function roleOfLabels(labels: readonly string[] | undefined): IndicatorRole {
  const roles = new Set(
    (labels ?? []).filter(
      (l): l is IndicatorRole => l !== 'mentioned' && (INDICATOR_ROLES as readonly string[]).includes(l),
    ),
  );
  return roles.size === 1 ? [...roles][0]! : 'mentioned';
}
