/**
 * MISP events read into what Koban can hold — pure, so every rule is tested on the samples. An
 * event (`{"Event": …}`, an element of `{"response": […]}`, or a bare event as PyMISP's tests
 * write it) becomes one imported report: its `info`, `date`, TLP tag (the most restrictive; none →
 * the importer's default), its other tags as labels, and the values of its attributes and of its
 * objects' attributes. Attribute by attribute: a type Koban holds no equivalent for is skipped with
 * the reason, a value that is not what its type says is rejected with the reason, the rest is kept.
 * Sightings are counted; an attribute its sightings call a false positive more often than seen is
 * skipped. Mapping: docs/sharing.md#misp.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { INDICATOR_ROLES, type IndicatorRole, type IndicatorType, type Tlp } from '../../intel/index.js';
import type { ObjectKey, ObjectRejection } from '../stix/import-plan.js';
import { mostRestrictive, tlpRank } from '../stix/markings.js';
import { valuesOfAttribute } from './attribute-types.js';
import { readKobanTag, tlpOfTag } from './tags.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const Num = z.union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()]).transform(Number);
const Bool = z
  .union([z.boolean(), z.literal('0'), z.literal('1'), z.literal(0), z.literal(1)])
  .transform((b) => b === true || b === '1' || b === 1);
const TagSchema = z.object({ name: z.string().min(1).max(1000) }).passthrough();
const SightingSchema = z.object({ type: z.union([z.string(), z.number()]).optional() }).passthrough();
const AttributeSchema = z
  .object({
    uuid: z.string().regex(UUID).optional(),
    type: z.string({ error: 'an attribute needs a type' }).min(1).max(100),
    value: z
      .union([z.string().max(8192), z.number()], { error: 'an attribute needs a value' })
      .transform(String),
    to_ids: Bool.optional(),
    deleted: Bool.optional(),
    Tag: z.array(TagSchema).max(1000).optional(),
    Sighting: z.array(SightingSchema).max(100_000).optional(),
  })
  .passthrough();
const ObjectSchema = z.object({ Attribute: z.array(z.unknown()).max(100_000).optional() }).passthrough();
const EventSchema = z
  .object({
    uuid: z.string({ error: 'an event needs a uuid' }).regex(UUID, 'an event needs a uuid'),
    info: z.string({ error: 'an event needs its info' }).trim().min(1, 'an event needs its info').max(1000),
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    timestamp: Num.optional(),
    Orgc: z
      .object({ name: z.string().max(500) })
      .passthrough()
      .optional(),
    Tag: z.array(TagSchema).max(1000).optional(),
    Attribute: z.array(z.unknown()).max(100_000).optional(),
    Object: z.array(ObjectSchema).max(100_000).optional(),
  })
  .passthrough();

export interface PlannedMispValue {
  readonly type: IndicatorType;
  readonly value: string;
  readonly role: IndicatorRole;
  readonly confidence: number;
}

export interface PlannedEvent extends ObjectKey {
  readonly tlp: Tlp;
  readonly title: string;
  readonly observedMs: number;
  readonly labels: readonly string[];
  readonly campaign: string | null;
  readonly creator: string | null;
  readonly values: readonly PlannedMispValue[];
  readonly attributes: number;
}

export interface SightingCounts {
  /** Sightings of type 0 (seen). */
  seen: number;
  /** Sightings of type 1 (false positive). */
  falsePositive: number;
}

export interface MispPlan {
  /** Events in the document, valid or not. */
  readonly total: number;
  readonly events: readonly PlannedEvent[];
  readonly rejected: readonly ObjectRejection[];
  readonly skipped: readonly { readonly id: string; readonly type: string; readonly reason: string }[];
  readonly sightings: SightingCounts;
}

/** Confidence of an attribute without a `koban:confidence` tag: MISP's to_ids says "use to detect". */
const CONFIDENCE_TO_IDS = 75;
const CONFIDENCE_CONTEXT = 40;
const MAX_LABELS = 50;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The events of a MISP JSON document, in order (`{"Event"}`, `{"response": […]}`, or bare). */
export function eventsOf(doc: unknown): unknown[] {
  if (!isObject(doc)) return [];
  if (isObject(doc.Event)) return [doc.Event];
  if (Array.isArray(doc.response))
    return doc.response.map((e) => (isObject(e) && 'Event' in e ? e.Event : e));
  return [doc];
}

/** Canonical JSON (sorted keys) of what Koban keeps of an event: its hash says "same content". */
function contentHash(x: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : isObject(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon(v[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canon(x)))
    .digest('hex');
}

function issue(e: z.ZodError): string {
  const i = e.issues[0]!;
  return `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`;
}

class EventReader {
  readonly values = new Map<string, PlannedMispValue>();
  attributes = 0;

  constructor(
    private readonly index: number,
    private readonly eventTlp: Tlp,
    private readonly out: {
      rejected: ObjectRejection[];
      skipped: { id: string; type: string; reason: string }[];
      sightings: SightingCounts;
    },
  ) {}

  read(raw: unknown, where: string): void {
    const p = AttributeSchema.safeParse(raw);
    const id = isObject(raw) && typeof raw.uuid === 'string' ? raw.uuid : null;
    if (!p.success) {
      this.out.rejected.push({
        index: this.index,
        id,
        type: 'misp-attribute',
        reason: `${where}: ${issue(p.error)}`,
      });
      return;
    }
    const a = p.data;
    const ref = a.uuid ?? `${where}`;
    const kind = `misp-attribute:${a.type}`;
    let seen = 0;
    let fp = 0;
    for (const s of a.Sighting ?? []) {
      if (String(s.type ?? '0') === '0') seen++;
      else if (String(s.type) === '1') fp++;
    }
    this.out.sightings.seen += seen;
    this.out.sightings.falsePositive += fp;
    if (a.deleted)
      return void this.out.skipped.push({ id: ref, type: kind, reason: 'deleted by its producer' });
    if (fp > seen)
      return void this.out.skipped.push({
        id: ref,
        type: kind,
        reason: 'its sightings call it a false positive',
      });
    const tags = (a.Tag ?? []).map((t) => t.name);
    const tlps = tags.map(tlpOfTag).filter((t): t is Tlp => t !== null);
    if (tlps.length && tlpRank(tlps.reduce(mostRestrictive)) > tlpRank(this.eventTlp))
      return void this.out.skipped.push({ id: ref, type: kind, reason: 'labelled stricter than its event' });
    const got = valuesOfAttribute(a.type, a.value);
    if (!got.ok) {
      if (got.skip) this.out.skipped.push({ id: ref, type: kind, reason: got.reason });
      else
        this.out.rejected.push({
          index: this.index,
          id: a.uuid ?? null,
          type: kind,
          reason: `${where}: ${got.reason}`,
        });
      return;
    }
    const k = Object.fromEntries(
      tags.map(readKobanTag).flatMap((t) => (t ? [[t.predicate, t.value] as const] : [])),
    );
    const role = INDICATOR_ROLES.find((r) => r === k.role) ?? 'mentioned';
    const conf = Number(k.confidence);
    const confidence =
      Number.isInteger(conf) && conf >= 0 && conf <= 100
        ? conf
        : a.to_ids === false
          ? CONFIDENCE_CONTEXT
          : CONFIDENCE_TO_IDS;
    this.attributes++;
    for (const v of got.values) {
      const key = `${v.type}\u0000${v.value}`;
      const held = this.values.get(key);
      if (!held || held.confidence < confidence) this.values.set(key, { ...v, role, confidence });
    }
  }
}

function planEvent(
  raw: unknown,
  index: number,
  defaultTlp: Tlp,
  out: ConstructorParameters<typeof EventReader>[2],
): PlannedEvent | null {
  const p = EventSchema.safeParse(raw);
  if (!p.success) {
    const id = isObject(raw) && typeof raw.uuid === 'string' ? raw.uuid : null;
    out.rejected.push({ index, id, type: 'misp-event', reason: issue(p.error) });
    return null;
  }
  const e = p.data;
  const tags = (e.Tag ?? []).map((t) => t.name);
  const tlps = tags.map(tlpOfTag).filter((t): t is Tlp => t !== null);
  const tlp = tlps.length ? tlps.reduce(mostRestrictive) : defaultTlp;
  let campaign: string | null = null;
  const labels: string[] = [];
  for (const t of tags) {
    const k = readKobanTag(t);
    if (k?.predicate === 'campaign') campaign ??= k.value.slice(0, 200);
    else if (tlpOfTag(t) === null && labels.length < MAX_LABELS) labels.push(t.slice(0, 200));
  }
  const reader = new EventReader(index, tlp, out);
  for (const [i, a] of (e.Attribute ?? []).entries()) reader.read(a, `Attribute[${i}]`);
  for (const [i, o] of (e.Object ?? []).entries())
    for (const [j, a] of (o.Attribute ?? []).entries()) reader.read(a, `Object[${i}].Attribute[${j}]`);
  const timestampMs = (e.timestamp ?? 0) * 1000;
  const values = [...reader.values.values()].sort((x, y) =>
    `${x.type}:${x.value}`.localeCompare(`${y.type}:${y.value}`),
  );
  const kept = { title: e.info, tlp, labels, campaign, values };
  return {
    index,
    id: e.uuid.toLowerCase(),
    type: 'misp-event',
    // Zero-padded so that versions compare as strings (import-apply keeps the newest).
    modified: String(e.timestamp ?? 0).padStart(12, '0'),
    sha256: contentHash(kept),
    revoked: false,
    ...kept,
    observedMs: e.date ? Date.parse(`${e.date}T00:00:00Z`) : timestampMs,
    creator: e.Orgc?.name.trim() || null,
    attributes: reader.attributes,
  };
}

/** Plans the import of every event of a MISP JSON document. */
export function planMispImport(doc: unknown, opts: { defaultTlp: Tlp; maxEvents: number }): MispPlan {
  const raws = eventsOf(doc);
  const out = {
    rejected: [] as ObjectRejection[],
    skipped: [] as MispPlan['skipped'][number][],
    sightings: { seen: 0, falsePositive: 0 },
  };
  if (raws.length > opts.maxEvents)
    return {
      total: raws.length,
      events: [],
      ...out,
      rejected: [
        {
          index: 0,
          id: null,
          type: 'misp-event',
          reason: `${raws.length} events; at most ${opts.maxEvents} are read from one document`,
        },
      ],
    };
  const events: PlannedEvent[] = [];
  raws.forEach((raw, i) => {
    const e = planEvent(raw, i + 1, opts.defaultTlp, out);
    if (e) events.push(e);
  });
  return { total: raws.length, events, ...out };
}
