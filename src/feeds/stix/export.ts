/**
 * A sharing snapshot (what one audience may see, read through intel's access check) as a STIX 2.1
 * bundle — pure, so it is tested on fixtures and validated against the OASIS schemas. The mapping
 * is tabulated in docs/sharing.md. Ids are UUIDv5 of Koban's ids (ids.ts), or the partner's id
 * for what was imported; every object carries its TLP 2.0 marking; timestamps come from the data,
 * never from the clock, so exporting the same data twice gives the same bytes.
 */
import {
  type AtomicType,
  indicatorTtlMs,
  type SharedOrg,
  type SharedReport,
  type SharedValue,
  type SharingSnapshot,
  type Tlp,
} from '../../intel/index.js';
import { idMaker, installationNamespace } from './ids.js';
import { mostPermissive, mostRestrictive, TLP2_IDS, tlpMarkingObject } from './markings.js';
import { observableOf } from './observables.js';
import { patternOf } from './patterns.js';

export type StixObject = Record<string, unknown> & { readonly type: string; readonly id: string };

export interface StixBundle {
  readonly type: 'bundle';
  readonly id: string;
  readonly objects: readonly StixObject[];
}

/** What an imported Koban object was called by its partner: its id, version and revocation. */
export interface ExternalVersion {
  readonly stixId: string;
  readonly modified: string;
  readonly revoked: boolean;
}

export interface ExportInput {
  readonly snapshot: SharingSnapshot;
  /** Keyed `report:ID` or `campaign:ID`. */
  readonly external?: ReadonlyMap<string, ExternalVersion>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One exported value: every readable source holding it, folded. */
interface ValueAcc {
  type: AtomicType;
  value: string;
  tlp: Tlp;
  firstMs: number;
  lastMs: number;
  confidence: number;
  sources: number;
  reporters: Set<string>;
  campaigns: Map<number, Tlp>;
  /** What the sources say it is (c2, sender, link, …): the indicator's `labels`. */
  roles: Set<string>;
}

class Builder {
  readonly objects = new Map<string, StixObject>();
  readonly labels = new Set<Tlp>();
  readonly id;
  readonly centerId: string;
  private readonly values = new Map<string, ValueAcc>();

  constructor(private readonly input: ExportInput) {
    const snap = input.snapshot;
    this.id = idMaker(installationNamespace(snap.center?.name ?? null));
    this.centerId = this.id('identity', 'center');
    this.add(
      {
        type: 'identity',
        id: this.centerId,
        name: snap.center?.name ?? 'Koban center',
        identity_class: 'organization',
        ...this.times(0, 0),
      },
      'CLEAR',
    );
  }

  times(createdMs: number, modifiedMs: number) {
    return { spec_version: '2.1', created: iso(createdMs), modified: iso(Math.max(createdMs, modifiedMs)) };
  }

  add(o: StixObject, tlp: Tlp): void {
    this.labels.add(tlp);
    this.objects.set(o.id, { ...o, object_marking_refs: [TLP2_IDS[tlp]] });
  }

  external(key: string): ExternalVersion | undefined {
    return this.input.external?.get(key);
  }

  /** The reporting organisation as named to this reader, or the one undisclosed identity. */
  reporter(org: SharedOrg | null, tlp: Tlp): string {
    const id = org ? this.id('identity', `org:${org.id}`) : this.id('identity', 'undisclosed-member');
    const held = this.objects.get(id);
    const label = held ? mostPermissive(tlp, labelOf(held)) : tlp;
    this.add(
      {
        type: 'identity',
        id,
        name: org ? org.name : 'Undisclosed member organisation',
        identity_class: 'organization',
        ...(org?.sector ? { description: `Sector: ${org.sector}` } : {}),
        ...this.times(0, 0),
      },
      org ? label : 'CLEAR',
    );
    return id;
  }

  campaignId(id: number): string {
    return this.external(`campaign:${id}`)?.stixId ?? this.id('campaign', String(id));
  }

  indicatorId(v: { type: AtomicType; value: string }): string {
    return this.id('indicator', `${v.type}:${v.value}`);
  }

  fold(v: SharedValue, tlp: Tlp, atMs: number, reporter: string | null, campaign: number | null, ctlp?: Tlp) {
    const key = `${v.type}:${v.value}`;
    const acc = this.values.get(key) ?? {
      type: v.type,
      value: v.value,
      tlp,
      firstMs: atMs,
      lastMs: atMs,
      confidence: v.confidence,
      sources: 0,
      reporters: new Set<string>(),
      campaigns: new Map<number, Tlp>(),
      roles: new Set<string>(),
    };
    acc.tlp = mostPermissive(acc.tlp, tlp);
    acc.firstMs = Math.min(acc.firstMs, atMs);
    acc.lastMs = Math.max(acc.lastMs, atMs);
    acc.confidence = Math.max(acc.confidence, v.confidence);
    acc.sources++;
    acc.roles.add(v.role);
    if (reporter) acc.reporters.add(reporter);
    if (campaign !== null && ctlp) {
      // The link is as shareable as the campaign and the most permissive source that makes it.
      const prev = acc.campaigns.get(campaign);
      acc.campaigns.set(campaign, mostRestrictive(ctlp, prev ? mostPermissive(prev, tlp) : tlp));
    }
    this.values.set(key, acc);
  }

  emitValues(): void {
    for (const acc of [...this.values.values()].sort((a, b) =>
      (a.type + a.value).localeCompare(b.type + b.value),
    )) {
      const id = this.indicatorId(acc);
      const ttl = indicatorTtlMs(acc.type);
      this.add(
        {
          type: 'indicator',
          id,
          created_by_ref: this.centerId,
          ...this.times(acc.firstMs, acc.lastMs),
          name: acc.value,
          indicator_types: ['malicious-activity'],
          // Koban's roles (docs/sharing.md#stix-21): a peer's import keeps a C2 a C2.
          labels: [...acc.roles].sort(),
          pattern: patternOf(acc.type, acc.value),
          pattern_type: 'stix',
          valid_from: iso(acc.firstMs),
          ...(ttl === null ? {} : { valid_until: iso(acc.lastMs + ttl) }),
          confidence: acc.confidence,
        },
        acc.tlp,
      );
      // What was observed: the value as an SCO, and how often the readable sources saw it.
      const sco = observableOf(acc.type, acc.value);
      this.add(sco, acc.tlp);
      const observedId = this.id('observed-data', `${acc.type}:${acc.value}`);
      this.add(
        {
          type: 'observed-data',
          id: observedId,
          created_by_ref: this.centerId,
          ...this.times(acc.firstMs, acc.lastMs),
          first_observed: iso(acc.firstMs),
          last_observed: iso(acc.lastMs),
          number_observed: acc.sources,
          object_refs: [sco.id],
        },
        acc.tlp,
      );
      this.add(
        {
          type: 'sighting',
          id: this.id('sighting', `${acc.type}:${acc.value}`),
          created_by_ref: this.centerId,
          ...this.times(acc.firstMs, acc.lastMs),
          sighting_of_ref: id,
          observed_data_refs: [observedId],
          count: acc.sources,
          first_seen: iso(acc.firstMs),
          last_seen: iso(acc.lastMs),
          ...(acc.reporters.size ? { where_sighted_refs: [...acc.reporters].sort() } : {}),
        },
        acc.tlp,
      );
      for (const [campaign, tlp] of [...acc.campaigns].sort((a, b) => a[0] - b[0])) {
        const target = this.campaignId(campaign);
        this.add(
          {
            type: 'relationship',
            id: this.id('relationship', `indicates:${id}:${target}`),
            created_by_ref: this.centerId,
            ...this.times(acc.firstMs, acc.lastMs),
            relationship_type: 'indicates',
            source_ref: id,
            target_ref: target,
          },
          tlp,
        );
      }
    }
  }
}

function labelOf(o: StixObject): Tlp {
  const ref = (o.object_marking_refs as string[] | undefined)?.[0];
  const hit = Object.entries(TLP2_IDS).find(([, id]) => id === ref);
  return (hit?.[0] as Tlp | undefined) ?? 'RED';
}

function reportObject(b: Builder, r: SharedReport, campaigns: ReadonlyMap<number, Tlp>): StixObject {
  const ext = b.external(`report:${r.id}`);
  const reporter = b.reporter(r.reporter, r.tlp);
  const campaign = r.campaignId !== null && campaigns.has(r.campaignId) ? r.campaignId : null;
  for (const v of r.values)
    b.fold(
      v,
      r.tlp,
      r.observedMs,
      reporter,
      campaign,
      campaign === null ? undefined : campaigns.get(campaign),
    );
  const refs = [
    ...new Set(r.values.map((v) => b.indicatorId(v))),
    ...(campaign === null ? [] : [b.campaignId(campaign)]),
  ];
  return {
    type: 'report',
    id: ext?.stixId ?? b.id('report', String(r.id)),
    created_by_ref: reporter,
    ...b.times(r.receivedMs, r.receivedMs),
    // The partner's version, never earlier than the copy Koban made of it.
    ...(ext ? { modified: [ext.modified, iso(r.receivedMs)].sort().at(-1) } : {}),
    ...(ext?.revoked ? { revoked: true } : {}),
    name: r.title,
    ...(r.description ? { description: r.description } : {}),
    report_types: ['threat-report'],
    labels: r.labels.length ? [...r.labels] : [r.kind],
    published: iso(r.observedMs),
    object_refs: refs.length ? refs : [reporter],
  };
}

/** The snapshot as one bundle (id stable for the same content). */
export function stixBundle(input: ExportInput): StixBundle {
  const b = new Builder(input);
  const snap = input.snapshot;
  const campaigns = new Map(snap.campaigns.map((c) => [c.id, c.tlp]));
  for (const c of snap.campaigns) {
    const ext = b.external(`campaign:${c.id}`);
    b.add(
      {
        type: 'campaign',
        id: b.campaignId(c.id),
        created_by_ref: b.centerId,
        ...b.times(c.createdMs, c.updatedMs),
        ...(ext?.revoked ? { revoked: true } : {}),
        name: c.name,
      },
      c.tlp,
    );
  }
  for (const r of snap.reports) b.add(reportObject(b, r, campaigns), r.tlp);
  for (const a of snap.advisories) {
    const campaign = a.campaignId !== null && campaigns.has(a.campaignId) ? a.campaignId : null;
    for (const v of a.values)
      b.fold(v, a.tlp, a.sentMs, null, campaign, campaign === null ? undefined : campaigns.get(campaign));
    const refs = [
      ...new Set(a.values.map((v) => b.indicatorId(v))),
      ...(campaign === null ? [] : [b.campaignId(campaign)]),
    ];
    // A new version of an advisory, or its withdrawal, is a new `modified` of the same object.
    const modifiedMs = Math.max(a.updatedMs, a.withdrawnMs ?? 0);
    b.add(
      {
        type: 'report',
        id: b.id('report', `advisory:${a.id}`),
        created_by_ref: b.centerId,
        ...b.times(a.sentMs, modifiedMs),
        ...(a.withdrawnMs !== null ? { revoked: true } : {}),
        name: a.title,
        ...(a.body ? { description: a.body } : {}),
        report_types: ['threat-report'],
        labels: ['advisory'],
        published: iso(a.sentMs),
        object_refs: refs.length ? refs : [b.centerId],
      },
      a.tlp,
    );
  }
  b.emitValues();
  const markings = [...b.labels].sort().map((t) => tlpMarkingObject(t) as StixObject);
  const objects = [...markings, ...[...b.objects.values()].sort((x, y) => x.id.localeCompare(y.id))];
  return {
    type: 'bundle',
    id: b.id('bundle', objects.map((o) => `${o.id}@${String(o.modified ?? '')}`).join(',')),
    objects,
  };
}
