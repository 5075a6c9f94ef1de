/**
 * What every reader of a group may see (an export to a sector): the objects present in each
 * reader's snapshot, a reporter named only if named to all of them.
 */
import type { SharedReport, SharingSnapshot } from './snapshot.js';

function common<T extends { id: number }>(lists: readonly (readonly T[])[]): T[] {
  const [first, ...others] = lists;
  if (!first) return [];
  const sets = others.map((l) => new Map(l.map((x) => [x.id, x])));
  return first.filter((x) => sets.every((s) => s.has(x.id)));
}

export function intersectSnapshots(snaps: readonly SharingSnapshot[]): SharingSnapshot {
  const first = snaps[0];
  if (!first) return { center: null, reports: [], campaigns: [], advisories: [] };
  if (snaps.length === 1) return first;
  const hidden = new Set<number>();
  for (const s of snaps) for (const r of s.reports) if (r.reporter === null) hidden.add(r.id);
  const reports: SharedReport[] = common(snaps.map((s) => s.reports)).map((r) =>
    hidden.has(r.id) ? { ...r, reporter: null } : r,
  );
  return {
    center: first.center,
    reports,
    campaigns: common(snaps.map((s) => s.campaigns)),
    advisories: common(snaps.map((s) => s.advisories)),
  };
}
