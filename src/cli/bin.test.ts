// The built command runs as `npx koban …` from a checkout (README): its file must be executable.
import { accessSync, constants, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAVE_BUILD, KOBAN_BIN } from '../../test/cli.js';

describe.skipIf(!HAVE_BUILD)('the built koban command', () => {
  it('is executable, with a node shebang', () => {
    expect(() => accessSync(KOBAN_BIN, constants.X_OK)).not.toThrow();
    expect(readFileSync(KOBAN_BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });
});
