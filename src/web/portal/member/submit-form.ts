/**
 * The "other report" form's fields as intel's report input: C2 destinations and malware hashes one
 * per line, an incident's title and description. Only the form's shape is translated here; intel
 * validates the input (ReportInputSchema) and extracts what it holds.
 */
import type { z } from 'zod';
import type { ReportInputSchema } from '../../../intel/index.js';
import { TLP_CHOICES } from './submit-page.js';

export type OtherReport = z.input<typeof ReportInputSchema>;
export const OTHER_KINDS = ['c2', 'incident', 'malware'] as const;
export type OtherKind = (typeof OTHER_KINDS)[number];

/** Lines read from a textarea (at most this many; intel refuses more than it takes). */
const MAX_LINES = 1000;

function text(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === 'string' ? v.trim() : '';
}

function lines(s: string): string[] {
  return s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, MAX_LINES + 1);
}

export function isOtherKind(k: unknown): k is OtherKind {
  return typeof k === 'string' && (OTHER_KINDS as readonly string[]).includes(k);
}

/** The TLP the member chose (AMBER, intel's default for member reports, when absent or unknown). */
export function chosenTlp(form: Record<string, unknown>): string {
  const v = text(form, 'tlp');
  return (TLP_CHOICES as readonly string[]).includes(v) ? v : 'AMBER';
}

export function otherReportOf(form: Record<string, unknown>): OtherReport | null {
  const kind = form.kind;
  if (!isOtherKind(kind)) return null;
  const title = text(form, 'title');
  const description = text(form, 'description');
  const values = lines(text(form, 'values'));
  switch (kind) {
    case 'c2':
      return {
        kind,
        ...(title ? { title } : {}),
        destinations: values.map((value) => ({ value })),
        ...(description ? { note: description } : {}),
      };
    case 'malware':
      return {
        kind,
        ...(title ? { title } : {}),
        hashes: values,
        ...(description ? { note: description } : {}),
      };
    case 'incident':
      return {
        kind,
        title,
        description: [description, ...values].filter((s) => s !== '').join('\n'),
      };
  }
}
