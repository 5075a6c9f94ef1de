/**
 * Advisories' due deliveries (e-mail, webhooks), run as the system: after each send, and on the
 * housekeeping timer for retries with back-off (the intel service decides what is due). A failure
 * is logged; each delivery's own outcome stays in the delivery log.
 */
import type { Logger } from 'pino';
import { type IntelService, systemActor } from '../intel/index.js';

export async function deliverAdvisories(intel: IntelService, log: Pick<Logger, 'error'>): Promise<void> {
  try {
    await intel.memberAlerts.deliverDue(systemActor('alert delivery'));
  } catch (err) {
    log.error({ err }, 'advisory delivery failed');
  }
}
