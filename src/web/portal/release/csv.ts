/**
 * Datasets as CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted, quotes
 * doubled); a withheld count is an empty field. A text field that a spreadsheet would run as a
 * formula (starting with = + - @, tab or CR) is prefixed with ' (OWASP "CSV Injection").
 */
import type { ViewRow } from '../../../observe/index.js';

function field(v: ViewRow[string] | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return field(JSON.stringify(v));
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: readonly string[], rows: readonly ViewRow[]): string {
  const lines = [columns.map((c) => field(c)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => field(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
