/**
 * A MISP warninglist (misp-warninglists, `lists/<name>/list.json`: `name`, `version`, `type`,
 * `list`, `matching_attributes`) read as entries of Koban's warning list (intel's configured
 * entries, `koban warninglist add`) — pure. `cidr` entries are networks (a bare address is its /32
 * or /128, as MISP reads it); `hostname` entries are domains (MISP matches the name and its
 * subdomains, as Koban's domain entries do); `string` entries are exact values. `substring` and
 * `regex` lists match parts of values, which Koban's list does not do: they are skipped whole,
 * with the reason, rather than widened or narrowed.
 */
import { z } from 'zod';
import type { NewWarningEntry } from '../../intel/index.js';

export const WarninglistSchema = z
  .object({
    name: z.string().trim().min(1).max(500),
    version: z.union([z.number(), z.string()]).optional(),
    description: z.string().optional(),
    type: z.string().min(1).max(50),
    list: z.array(z.union([z.string(), z.number()]).transform(String)).max(1_000_000),
    matching_attributes: z.array(z.string()).optional(),
  })
  .passthrough();

export interface WarninglistPlan {
  readonly name: string;
  readonly version: string | null;
  readonly entries: readonly NewWarningEntry[];
  /** Why the whole list is not imported (a type Koban cannot match), else null. */
  readonly skippedWhole: string | null;
}

/** Koban's reason field holds 200 characters. */
const MAX_REASON = 200;

function network(v: string): string {
  if (v.includes('/')) return v;
  return v.includes(':') ? `${v}/128` : `${v}/32`;
}

export function planWarninglist(doc: unknown): WarninglistPlan {
  const w = WarninglistSchema.parse(doc);
  const version = w.version === undefined ? null : String(w.version);
  const reason = `MISP warninglist: ${w.name}${version ? ` (version ${version})` : ''}`.slice(0, MAX_REASON);
  const values = w.list.map((v) => v.trim()).filter((v) => v !== '');
  const base = { name: w.name, version };
  switch (w.type) {
    case 'cidr':
      return {
        ...base,
        entries: values.map((v) => ({ kind: 'cidr', value: network(v), reason })),
        skippedWhole: null,
      };
    case 'hostname':
      return {
        ...base,
        entries: values.map((v) => ({ kind: 'domain', value: v.replace(/^\*?\./, ''), reason })),
        skippedWhole: null,
      };
    case 'string':
      return {
        ...base,
        entries: values.map((v) => ({ kind: 'exact', value: v, reason })),
        skippedWhole: null,
      };
    default:
      return {
        ...base,
        entries: [],
        skippedWhole: `a ${w.type} warninglist matches parts of values; Koban's warning list matches networks, domains and exact values`,
      };
  }
}
