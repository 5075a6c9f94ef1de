/** /metrics publishes the audit chain's head and its last signed checkpoint (intel/checkpoints.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../test/api-world.js';

let w: ApiWorld;
beforeEach(async () => {
  w = await openApiWorld();
});
afterEach(async () => {
  await w.close();
});

describe('audit metrics', () => {
  it('show the head row id, and the last checkpoint with its hash and signature once one is signed', async () => {
    const head = (await w.center.intel.auditStatus()).headSeq;
    expect(head).toBeGreaterThan(0);
    const before = await w.center.metrics.render();
    expect(before).toMatch(new RegExp(`^koban_audit_head_seq ${head}$`, 'm'));
    expect(before).not.toMatch(/^koban_audit_checkpoint_seq\{/m);
    const c = (await w.center.intel.checkpointAudit())!;
    const after = await w.center.metrics.render();
    expect(after).toContain(
      `koban_audit_checkpoint_seq{head="${c.head}",custody_seq="${c.custodySeq}",custody_head="${c.custodyHead}",` +
        `at="${c.at}",key_id="${c.keyId}",signature="${c.sig}"} ${c.seq}`,
    );
  });
});
