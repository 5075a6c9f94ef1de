/**
 * A sharing snapshot (what one reader or audience may see, read through intel's one access check)
 * as a MISP feed — pure, so the layout is tested on fixtures. The layout is the one PyMISP writes
 * (`MISPEvent.to_feed`, `MISPEvent.manifest`, `pymisp/tools/feed.py`) and MISP fetches:
 * `manifest.json` maps each event uuid to its metadata; `<uuid>.json` is `{"Event": …}` with the
 * event's feed fields (integers written as strings, as PyMISP's `_int_to_str` does), `Orgc`, `Tag`,
 * `Attribute`; `hashes.csv` has one `<md5 of value>,<event uuid>` line per attribute value. Each
 * manifest entry also carries `koban_sha256`, the SHA-256 of the event file, so a subscriber
 * fetches only the events whose bytes changed. Timestamps come from the data, never from the clock:
 * the same data gives the same bytes. Mapping: docs/sharing.md#misp.
 */
import { createHash } from 'node:crypto';
import type { SharedAdvisory, SharedReport, SharedValue, SharingSnapshot, Tlp } from '../../intel/index.js';
import { installationNamespace, uuidV5 } from '../stix/ids.js';
import { mispTypeOf } from './attribute-types.js';
import { kobanTag, type MispTag, tlpTag } from './tags.js';

export interface MispOrg {
  readonly name: string;
  readonly uuid: string;
}

export interface MispAttribute {
  readonly category: string;
  readonly comment: string;
  readonly deleted: boolean;
  readonly disable_correlation: boolean;
  readonly timestamp: string;
  readonly to_ids: boolean;
  readonly type: string;
  readonly uuid: string;
  readonly value: string;
  readonly Tag?: readonly MispTag[];
}

export interface MispEvent {
  readonly analysis: string;
  readonly date: string;
  readonly extends_uuid: string;
  readonly info: string;
  readonly publish_timestamp: string;
  readonly published: boolean;
  readonly threat_level_id: string;
  readonly timestamp: string;
  readonly uuid: string;
  readonly Orgc: MispOrg;
  readonly Tag: readonly MispTag[];
  readonly Attribute?: readonly MispAttribute[];
}

export interface ManifestEntry {
  readonly Orgc: MispOrg;
  readonly Tag: readonly MispTag[];
  readonly info: string;
  readonly date: string;
  readonly analysis: number;
  readonly threat_level_id: number;
  readonly timestamp: number;
  /** SHA-256 (hex) of the event's file as written. */
  readonly koban_sha256: string;
}

export interface MispFeed {
  readonly manifest: Readonly<Record<string, ManifestEntry>>;
  /** Event uuid → the file's text (`{"Event": …}`). */
  readonly files: ReadonlyMap<string, string>;
  readonly hashesCsv: string;
}

/** Where an imported report came from: the partner's uuid for it (MISP event or STIX report). */
export type ExternalUuids = ReadonlyMap<number, string>;

/** MISP's analysis levels: 0 initial, 1 ongoing, 2 completed. Koban publishes finished reports. */
const ANALYSIS_COMPLETED = 2;
/** MISP's threat levels 1 high … 4 undefined: Koban assigns none, so "undefined". */
const THREAT_UNDEFINED = 4;

const seconds = (ms: number) => String(Math.floor(ms / 1000));
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const UUID_RE = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

interface EventSource {
  readonly uuid: string;
  readonly info: string;
  readonly tlp: Tlp;
  readonly dateMs: number;
  readonly timestampMs: number;
  readonly tags: readonly MispTag[];
  readonly values: readonly SharedValue[];
}

function attributes(ns: string, e: EventSource): MispAttribute[] {
  const ts = seconds(e.timestampMs);
  return e.values.map((v) => {
    const t = mispTypeOf(v.type, v.role);
    return {
      category: t.category,
      comment: '',
      deleted: false,
      disable_correlation: false,
      timestamp: ts,
      to_ids: true,
      type: t.type,
      uuid: uuidV5(ns, `attribute:${e.uuid}:${v.type}:${v.value}`),
      value: v.value,
      Tag: [kobanTag('role', v.role), kobanTag('confidence', String(v.confidence))],
    };
  });
}

function eventOf(ns: string, org: MispOrg, e: EventSource): MispEvent {
  const attrs = attributes(ns, e);
  const ts = seconds(e.timestampMs);
  return {
    analysis: String(ANALYSIS_COMPLETED),
    date: day(e.dateMs),
    extends_uuid: '',
    info: e.info,
    publish_timestamp: ts,
    published: true,
    threat_level_id: String(THREAT_UNDEFINED),
    timestamp: ts,
    uuid: e.uuid,
    Orgc: org,
    Tag: [tlpTag(e.tlp), ...e.tags],
    ...(attrs.length > 0 ? { Attribute: attrs } : {}),
  };
}

function campaignTags(snap: SharingSnapshot, id: number | null): MispTag[] {
  const c = id === null ? undefined : snap.campaigns.find((x) => x.id === id);
  return c ? [kobanTag('campaign', c.name)] : [];
}

function reportSource(
  ns: string,
  snap: SharingSnapshot,
  r: SharedReport,
  external: ExternalUuids,
): EventSource {
  const ext = external.get(r.id) ?? UUID_RE.exec(r.externalId ?? '')?.[1]?.toLowerCase();
  // An imported report goes out under its partner's uuid and its labels as they came (the tags
  // of a MISP event, the labels of a STIX report); Koban's own under its kind.
  const own = r.kind === 'imported' ? r.labels.map((name) => ({ name, colour: '#0b3d91' })) : [];
  return {
    uuid: ext ?? uuidV5(ns, `misp-event:report:${r.id}`),
    info: r.title,
    tlp: r.tlp,
    dateMs: r.observedMs,
    timestampMs: r.receivedMs,
    tags: [
      ...(r.kind === 'imported' ? own : [kobanTag('kind', r.kind)]),
      ...campaignTags(snap, r.campaignId),
    ],
    values: r.values,
  };
}

function advisorySource(ns: string, snap: SharingSnapshot, a: SharedAdvisory): EventSource {
  return {
    uuid: uuidV5(ns, `misp-event:advisory:${a.id}`),
    info: a.title,
    tlp: a.tlp,
    dateMs: a.sentMs,
    timestampMs: a.updatedMs,
    tags: [kobanTag('kind', 'advisory'), ...campaignTags(snap, a.campaignId)],
    values: a.values,
  };
}

/**
 * The feed of a snapshot. Withdrawn advisories are left out (a MISP feed has no revocation: an
 * event leaves the manifest). `external` maps imported reports to their partner's uuid.
 */
export function mispFeed(snap: SharingSnapshot, external: ExternalUuids = new Map()): MispFeed {
  const ns = installationNamespace(snap.center?.name ?? null);
  const org: MispOrg = { name: snap.center?.name ?? 'Koban center', uuid: uuidV5(ns, 'organisation:center') };
  const sources = [
    ...snap.reports.map((r) => reportSource(ns, snap, r, external)),
    ...snap.advisories.filter((a) => a.withdrawnMs === null).map((a) => advisorySource(ns, snap, a)),
  ].sort((x, y) => x.uuid.localeCompare(y.uuid));
  const manifest: Record<string, ManifestEntry> = {};
  const files = new Map<string, string>();
  const hashes: string[] = [];
  for (const s of sources) {
    const event = eventOf(ns, org, s);
    const text = JSON.stringify({ Event: event });
    files.set(s.uuid, text);
    manifest[s.uuid] = {
      Orgc: org,
      Tag: event.Tag,
      info: event.info,
      date: event.date,
      analysis: ANALYSIS_COMPLETED,
      threat_level_id: THREAT_UNDEFINED,
      timestamp: Number(event.timestamp),
      koban_sha256: sha256(text),
    };
    for (const a of event.Attribute ?? []) hashes.push(`${md5(a.value)},${s.uuid}\n`);
  }
  return { manifest, files, hashesCsv: hashes.join('') };
}
