/**
 * Waiting in tests for something to happen, never for time to pass. `waitFor` polls a condition
 * until it holds and has no deadline of its own: the test's timeout (vitest.config.ts, or the
 * test's own) is the only bound, so a busy machine makes a test slower, never wrong. A deadline
 * shorter than the test's would bet on the machine's speed — the bet that failed under load.
 */
import { onTestFailed, onTestFinished } from 'vitest';

const POLL_MS = 100;

/**
 * Resolves with the condition's first truthy value; a condition that throws counts as not yet.
 * When the test fails (by its timeout, say) while this still waits, the test's output names
 * `what`; polling ends with the test.
 */
export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  what: string,
): Promise<NonNullable<T>> {
  let ended = false;
  let waiting = true;
  try {
    onTestFailed(() => {
      if (waiting) console.error(`the test ended while waiting for ${what}`);
    });
    onTestFinished(() => {
      ended = true;
    });
  } catch {
    // Called from a hook (beforeAll …), not a test: the hook's timeout bounds the wait.
  }
  try {
    for (;;) {
      try {
        const v = await fn();
        if (v) return v as NonNullable<T>;
      } catch {
        // not yet
      }
      if (ended) throw new Error(`gave up waiting for ${what}: the test has ended`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    waiting = false;
  }
}
