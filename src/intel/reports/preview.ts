/**
 * What a submission would share, before it is stored: the reporter sees exactly the shareable view
 * that everyone who may read the report will get, the private part that stays with the reporter
 * and the center unless they consent, and the indicators that would be extracted. Built by the
 * same steps as intake (prepare-email.ts, report-kinds.ts), so the preview cannot drift from what
 * is stored; nothing is written, not even the evidence file.
 */
import type { IndicatorRole, IndicatorType } from '../indicators/types.js';
import type { PreparedEmail } from './prepare-email.js';
import type { BuiltReport } from './report-kinds.js';

export interface PreviewIndicator {
  readonly type: IndicatorType;
  readonly value: string;
  readonly role: IndicatorRole;
  /** Why the value will not correlate (warning-listed, a mail provider's relay…), or null. */
  readonly warning: string | null;
}

export interface SubmissionPreview {
  readonly kind: string;
  readonly title: string;
  /** Shared with everyone who may read the report (its label and audience decide who). */
  readonly shared: unknown;
  /** Kept for the reporter and the center; shared further only with the reporter's consent. */
  readonly privatePart: unknown;
  readonly indicators: readonly PreviewIndicator[];
  /** The extraction's warnings (limits hit, malformed parts). */
  readonly warnings: readonly string[];
}

function indicators(
  candidates: readonly {
    type: IndicatorType;
    value: string;
    role: IndicatorRole;
    warning?: string;
  }[],
): PreviewIndicator[] {
  const seen = new Set<string>();
  const out: PreviewIndicator[] = [];
  for (const c of candidates) {
    const key = `${c.type}\u0000${c.value}\u0000${c.role}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ type: c.type, value: c.value, role: c.role, warning: c.warning ?? null });
  }
  return out;
}

export function emailPreview(p: PreparedEmail): SubmissionPreview {
  return {
    kind: 'email',
    title: p.title,
    shared: JSON.parse(p.sharedJson) as unknown,
    privatePart: JSON.parse(p.privateJson) as unknown,
    indicators: indicators(p.candidates),
    warnings: p.warnings,
  };
}

export function reportPreview(kind: string, b: BuiltReport): SubmissionPreview {
  return {
    kind,
    title: b.title,
    shared: b.shared,
    privatePart: b.privatePart,
    indicators: indicators(b.candidates),
    warnings: b.warnings,
  };
}
