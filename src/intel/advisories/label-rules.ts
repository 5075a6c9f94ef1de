/**
 * Which TLP 2.0 label may go to which audience, and how low an alert's label may be set given the
 * sources it quotes (FIRST, "Traffic Light Protocol (TLP) — FIRST Standards Definitions and Usage
 * Guidance, Version 2.0", 2022). The center is the source of an alert, so the label is the center's
 * promise to its sources about how far recipients may pass it on:
 * - CLEAR: "recipients can spread this to the world" → any audience, the public included.
 * - GREEN: "within their community … not via publicly accessible channels" → members, never public.
 * - AMBER: "limited disclosure … need-to-know basis within their organization and its clients" →
 *   members chosen by the center (all, sectors, prefectures, named), never public.
 * - AMBER+STRICT: "restricts sharing to the organization only" → named organisations or users.
 * - RED: "for the eyes and ears of individual recipients only" → named users only.
 * And a label never less restrictive than the most restrictive source quoted, unless an analyst
 * downgrades it explicitly with a reason, which is recorded — and, for each member report quoted
 * below its own label, an approved declassification: the reporting organisation's consent or a
 * second center admin's approval (declassify.ts; TLP 2.0: only the source may change the label).
 * Pure functions; the service turns a problem into an E_USAGE (reason) or E_FORBIDDEN (approval) error.
 */
import { TLP_LABELS, type Tlp, tlpRank } from '../labels/tlp.js';
import type { AdvisoryAudience } from './inputs.js';

/** Whether the audience reaches beyond named organisations and users. */
function broad(a: AdvisoryAudience): boolean {
  return a.public || a.allMembers || a.sectors.length > 0 || a.prefectures.length > 0;
}

/** Why the label may not go to the audience, or null when it may. */
export function audienceLabelProblem(tlp: Tlp, a: AdvisoryAudience): string | null {
  if (a.public && tlp !== 'CLEAR') {
    const why =
      tlp === 'GREEN'
        ? 'GREEN is shared within the community, "not via publicly accessible channels"'
        : `TLP:${tlp} is limited disclosure`;
    return `TLP:${tlp} cannot go to the public: ${why} (TLP 2.0); only TLP:CLEAR is published`;
  }
  if (tlp === 'AMBER+STRICT' && broad(a)) {
    return (
      'TLP:AMBER+STRICT goes to named organisations or users only: it "restricts sharing to the ' +
      'organization only" (TLP 2.0), so the center names each organisation'
    );
  }
  if (tlp === 'RED' && (broad(a) || a.orgIds.length > 0)) {
    return (
      'TLP:RED goes to named users only: it is "for the eyes and ears of individual recipients ' +
      'only" (TLP 2.0), not for an organisation or a group'
    );
  }
  return null;
}

/** The most restrictive of the labels (CLEAR when there are none). */
export function labelFloor(labels: Iterable<Tlp>): Tlp {
  let rank = 0;
  for (const t of labels) rank = Math.max(rank, tlpRank(t));
  return TLP_LABELS[rank]!;
}

/** Whether `tlp` is below the floor: a downgrade, which needs a recorded reason. */
export function isDowngrade(tlp: Tlp, floor: Tlp): boolean {
  return tlpRank(tlp) < tlpRank(floor);
}

/** Why the label may not be used over sources labelled up to `floor`, or null. */
export function floorProblem(tlp: Tlp, floor: Tlp, downgradeReason: string | null): string | null {
  if (!isDowngrade(tlp, floor) || (downgradeReason !== null && downgradeReason.trim().length > 0))
    return null;
  return (
    `TLP:${tlp} is less restrictive than TLP:${floor}, the most restrictive source the alert quotes; ` +
    `an analyst may downgrade it only with a reason (downgradeReason), which is recorded`
  );
}

/** Why reports may not be published under `tlp`: those above it without an approved declassification. */
export function declassificationProblem(
  tlp: Tlp,
  uncovered: readonly { readonly id: number; readonly tlp: Tlp }[],
): string | null {
  if (uncovered.length === 0) return null;
  const named = uncovered
    .slice(0, 10)
    .map((r) => `report ${r.id} (TLP:${r.tlp})`)
    .join(', ');
  const more = uncovered.length > 10 ? ` and ${uncovered.length - 10} more` : '';
  return (
    `TLP:${tlp} is below the label of ${named}${more}: publishing a member's report below its label needs ` +
    `an approved declassification — the reporting organisation's consent or a second center admin's ` +
    `approval (koban declassify request, POST /api/v1/declassifications)`
  );
}
