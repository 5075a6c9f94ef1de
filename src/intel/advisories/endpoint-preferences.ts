/**
 * What an organisation's delivery endpoint wants to be sent: which TLP labels and which alert
 * events (sent, updated, withdrawn), each "all" when not narrowed, and whether it is paused. The
 * organisation's admins set them (`/member/delivery`); the delivery queue (delivery-queue.ts)
 * honours them when it queues an event, so an endpoint never receives what it declined. Kept on
 * the endpoint row (migration 0015) as JSON arrays, null meaning all.
 */
import { z } from 'zod';
import { TLP_LABELS, type Tlp, TlpSchema } from '../labels/tlp.js';
import type { AdvisoryEvent } from './render.js';

export const ADVISORY_EVENTS = ['sent', 'updated', 'withdrawn'] as const satisfies readonly AdvisoryEvent[];

/** Null: everything of that kind. An empty choice is refused: pause the endpoint instead. */
export const EndpointPreferencesSchema = z.object({
  tlps: z.array(TlpSchema).min(1).max(TLP_LABELS.length).nullable(),
  events: z.array(z.enum(ADVISORY_EVENTS)).min(1).max(ADVISORY_EVENTS.length).nullable(),
});
export type EndpointPreferences = z.infer<typeof EndpointPreferencesSchema>;

/** Stored form: null when the choice is everything (so a label added later is included too). */
function store<T extends string>(picked: readonly T[] | null, all: readonly T[]): string | null {
  if (picked === null) return null;
  const set = new Set(picked);
  return all.every((a) => set.has(a)) ? null : JSON.stringify(all.filter((a) => set.has(a)));
}

export function storedPreferences(p: EndpointPreferences): { tlps: string | null; events: string | null } {
  return { tlps: store(p.tlps, TLP_LABELS), events: store(p.events, ADVISORY_EVENTS) };
}

function load<T extends string>(raw: string | null, all: readonly T[]): T[] | null {
  if (raw === null) return null;
  const parsed: unknown = JSON.parse(raw);
  return Array.isArray(parsed) ? all.filter((a) => parsed.includes(a)) : null;
}

export function preferencesOf(row: { tlps: string | null; events: string | null }): EndpointPreferences {
  return { tlps: load(row.tlps, TLP_LABELS), events: load(row.events, ADVISORY_EVENTS) };
}

/** Whether an endpoint with these preferences is sent this event of an alert under this label. */
export function wants(p: EndpointPreferences, tlp: Tlp, event: AdvisoryEvent): boolean {
  return (p.tlps === null || p.tlps.includes(tlp)) && (p.events === null || p.events.includes(event));
}
