/**
 * How commands open the stores of a data directory: the one place that turns `--data` and `--db`
 * (with `KOBAN_DATA`, `KOBAN_DB` and koban.json) into an open relational store.
 */
import { type KobanConfig, loadConfig, resolveDataDir, resolveRelationalUrl } from '../core/index.js';
import { openRelational, type RelationalDb } from '../db/index.js';
import type { StoreFlags } from './_options.js';

/** Where a command's data is. `url` undefined: the SQLite file in `dataDir`. */
export interface StoreTarget {
  readonly dataDir: string;
  readonly config: KobanConfig;
  readonly url: string | undefined;
}

/** Reads koban.json once: a mistake in it, or in `--db`/`KOBAN_DB`, is told before anything opens. */
export function storeTarget(flags: StoreFlags, env: NodeJS.ProcessEnv = process.env): StoreTarget {
  const dataDir = resolveDataDir(flags.data);
  const config = loadConfig(dataDir, env);
  return { dataDir, config, url: resolveRelationalUrl(flags.db, env, config) };
}

/**
 * Opens the relational store. Only commands that add something a fresh center starts from pass
 * `create: true`; the others fail on a data directory without a store instead of creating an
 * empty one (a mistyped `--data`).
 */
export async function openRelationalStore(
  target: StoreTarget,
  opts: { readonly create?: boolean } = {},
): Promise<RelationalDb> {
  return openRelational(target.dataDir, { create: opts.create ?? false, url: target.url });
}

/** Runs `fn` over the relational store of the flags' data directory, and closes it. */
export async function withRelational<T>(
  flags: StoreFlags,
  fn: (db: RelationalDb, target: StoreTarget) => Promise<T>,
  opts: { readonly create?: boolean } = {},
): Promise<T> {
  const target = storeTarget(flags);
  const db = await openRelationalStore(target, opts);
  try {
    return await fn(db, target);
  } finally {
    await db.destroy();
  }
}
