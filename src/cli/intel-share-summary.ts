/** The one-paragraph summary `koban intel import` prints per file, whatever its format. */
import type { SharingImport } from '../feeds/index.js';
import { fmtInt } from './_output.js';

/** How many rejections and skips a summary lists (all of them with --json). */
const SHOWN = 10;

function listed(
  lines: string[],
  rejected: readonly { index: number; id: string | null; reason: string }[],
  skipped: readonly { id: string; reason: string }[],
): void {
  for (const x of rejected.slice(0, SHOWN))
    lines.push(`  rejected #${x.index} ${x.id ?? '(no id)'}: ${x.reason}`);
  if (rejected.length > SHOWN) lines.push(`  … ${rejected.length - SHOWN} more rejected (--json lists all)`);
  for (const x of skipped.slice(0, SHOWN)) lines.push(`  skipped ${x.id}: ${x.reason}`);
  if (skipped.length > SHOWN) lines.push(`  … ${skipped.length - SHOWN} more skipped (--json lists all)`);
}

/** What newer versions changed in reports held: values withdrawn, values added or shared again. */
function changes(c: { readonly withdrawn: number; readonly added: number }): string {
  const parts = [
    ...(c.withdrawn ? [`${c.withdrawn} withdrew values`] : []),
    ...(c.added ? [`${c.added} values added`] : []),
  ];
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export function importSummary(r: SharingImport): string {
  const lines: string[] = [];
  if (r.format === 'stix-2.1') {
    const c = r.counts;
    lines.push(
      `${r.file}: ${fmtInt(r.objects)} objects — ${c.reports} reports, ${c.campaigns} campaigns, ${c.indicators} indicators imported; ${c.unchanged} already held, ${c.updated} updated${changes(c)}, ${r.skipped.length} skipped, ${r.rejected.length} rejected`,
    );
    listed(lines, r.rejected, r.skipped);
  } else if (r.format === 'misp-warninglist') {
    lines.push(
      `${r.file}: MISP warninglist "${r.name}" — ${r.added} entries added, ${r.unchanged} already held, ${r.reflagged} indicators re-flagged, ${r.rejected.length} rejected`,
    );
    if (r.skipped) lines.push(`  skipped: ${r.skipped}`);
    for (const x of r.rejected.slice(0, SHOWN)) lines.push(`  rejected ${x.value}: ${x.reason}`);
  } else {
    const c = r.counts;
    lines.push(
      `${r.file}: ${fmtInt(r.events)} MISP events — ${c.reports} reports, ${c.campaigns} campaigns, ${c.attributes} attributes imported; ${c.unchanged} already held, ${c.updated} updated${changes(c)}, ${r.skipped.length} skipped, ${r.rejected.length} rejected; sightings ${r.sightings.seen} seen, ${r.sightings.falsePositive} false positive`,
    );
    listed(lines, r.rejected, r.skipped);
  }
  return lines.join('\n');
}
