/** Input checking shared by every intel service: a zod schema at the boundary, one usage error. */
import type { z } from 'zod';
import { KobanError } from '../core/index.js';

/** Reads a zod result or throws the first issue as a usage error. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new KobanError('E_USAGE', `${what}: ${path}${issue?.message ?? 'invalid input'}`);
}
