/** Terminal output helpers: aligned tables, number formatting, a progress bar on a TTY. */
import cliProgress from 'cli-progress';
import { isIdentifierField } from '../core/index.js';

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function fmtShare(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

type Cell = string | number | null | undefined;

/**
 * Renders rows as a plain aligned table (numbers right-aligned; counts with thousands separators,
 * identifiers such as ports, AS numbers, years and ids without).
 */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const plain = headers.map(isIdentifierField);
  const text = rows.map((r) =>
    r.map((c, i) =>
      c === null || c === undefined ? '-' : typeof c === 'number' ? (plain[i] ? String(c) : fmtNum(c)) : c,
    ),
  );
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] == null),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

function fmtNum(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

export interface Progress {
  update(value: number, total: number, label: string): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; silent otherwise. */
export function progress(): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% | {label}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, total, label) {
      if (!started) {
        bar.start(Math.max(total, 1), 0, { label });
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(Math.min(value, Math.max(total, 1)), { label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}
