/**
 * Exit-policy summaries as Onionoo publishes them (`exit_policy_summary`): either the ports a relay
 * accepts to most destinations (`{"accept": ["80", "443", "6660-6669"]}`) or the ports it rejects
 * (`{"reject": ["25", "119"]}`), everything else being the opposite. A summary says nothing about
 * destination addresses, so an ip-port answer from it is about the port (docs/anonymizer.md).
 */
import { z } from 'zod';

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export interface PolicySummary {
  readonly action: 'accept' | 'reject';
  readonly ports: readonly PortRange[];
}

const PortText = z.string().regex(/^\d{1,5}(-\d{1,5})?$/);

export const PolicySummarySchema = z.union([
  z.object({ accept: z.array(PortText).max(65_536) }).strict(),
  z.object({ reject: z.array(PortText).max(65_536) }).strict(),
]);

/** A summary from Onionoo's JSON shape; null when it is not one (ports out of range, both keys). */
export function policyFromSummary(raw: unknown): PolicySummary | null {
  const p = PolicySummarySchema.safeParse(raw);
  if (!p.success) return null;
  const action = 'accept' in p.data ? 'accept' : 'reject';
  const texts = 'accept' in p.data ? p.data.accept : p.data.reject;
  const ports: PortRange[] = [];
  for (const t of texts) {
    const [a, b] = t.split('-');
    const from = Number(a);
    const to = b === undefined ? from : Number(b);
    if (from < 1 || to > 65_535 || from > to) return null;
    ports.push({ from, to });
  }
  return { action, ports };
}

/** Whether the policy lets a connection to `port` out (any destination address). */
export function policyAllows(policy: PolicySummary, port: number): boolean {
  const listed = policy.ports.some((r) => port >= r.from && port <= r.to);
  return policy.action === 'accept' ? listed : !listed;
}

/** Back to Onionoo's shape, for storage and evidence. */
export function policyToSummary(policy: PolicySummary): Record<string, string[]> {
  return {
    [policy.action]: policy.ports.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)),
  };
}
