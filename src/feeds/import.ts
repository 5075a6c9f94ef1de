/**
 * `koban intel import`'s one entry: a file or directory, its format detected (formats.ts), handed
 * to the importer of that format — STIX 2.1 bundles (stix/), MISP events, feed directories or
 * manifests, and MISP warninglists (misp/). Every file is bounded in size before it is read.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KobanError } from '../core/index.js';
import type { Actor, IntelService, Tlp } from '../intel/index.js';
import { detectFormat, requireImportable } from './formats.js';
import { type MispImportOutcome, MispService, type WarninglistOutcome } from './misp/service.js';
import { DEFAULT_STIX_LIMITS, type FileImport, type ImportOptions, StixService } from './stix/service.js';

export type SharingImport =
  | FileImport
  | ({ readonly file: string; readonly format: 'misp-event' | 'misp-feed' } & MispImportOutcome)
  | ({ readonly file: string; readonly format: 'misp-warninglist' } & WarninglistOutcome);

export interface SharingImportOptions extends ImportOptions {
  /** A file larger than this is refused whole (default 32 MiB); each event file of a feed too. */
  readonly maxBytes?: number;
}

/** Events read from one document or feed at most (each becomes a report). */
const MAX_EVENTS = 100_000;

async function readBounded(file: string, maxBytes: number): Promise<string> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    throw new KobanError('E_NOT_FOUND', `cannot read ${file}: ${(e as Error).message}`);
  }
  if (size > maxBytes) throw new KobanError('E_LIMIT', `${file}: ${size} bytes; the limit is ${maxBytes}`);
  return readFile(file, 'utf8');
}

function parse(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new KobanError('E_FORMAT', `${name}: not JSON (${(e as Error).message})`);
  }
}

export class SharingImporter {
  constructor(
    private readonly intel: IntelService,
    private readonly now: () => number = Date.now,
  ) {}

  async importPath(actor: Actor, path: string, opts: SharingImportOptions = {}): Promise<SharingImport> {
    const maxBytes = opts.maxBytes ?? DEFAULT_STIX_LIMITS.maxBundleBytes;
    const isDir = await stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    );
    const file = isDir ? join(path, 'manifest.json') : path;
    const text = await readBounded(file, maxBytes);
    const doc = parse(text, file);
    // A feed with no events yet has an empty manifest: still a feed.
    const empty = isDir && doc !== null && typeof doc === 'object' && Object.keys(doc).length === 0;
    const format = empty ? 'misp-feed-manifest' : requireImportable(detectFormat(doc));
    if (isDir && format !== 'misp-feed-manifest')
      throw new KobanError('E_FORMAT', `${file}: not a MISP feed manifest`);
    if (format === 'stix-2.1')
      return new StixService(this.intel, { maxBundleBytes: maxBytes }, this.now).importText(
        actor,
        text,
        path,
        opts,
      );
    const misp = new MispService(this.intel, this.now);
    if (format === 'misp-warninglist')
      return { file: path, format, ...(await misp.importWarninglist(actor, doc)) };
    const base = {
      orgId: await this.attributedOrg(actor, opts.org),
      source: opts.source,
      defaultTlp: opts.defaultTlp ?? ('AMBER' satisfies Tlp),
      maxEvents: MAX_EVENTS,
    };
    if (format === 'misp-event')
      return { file: path, format, ...(await misp.importEvents(actor, doc, base)) };
    const manifest = doc as Record<string, unknown>;
    const outcome = await misp.importFeed(actor, dirname(file), manifest, {
      ...base,
      maxFileBytes: maxBytes,
    });
    return { file: path, format: 'misp-feed', ...outcome };
  }

  private async attributedOrg(actor: Actor, name: string | undefined): Promise<number> {
    if (name !== undefined) return (await this.intel.orgs.requireByName(name)).id;
    const id = actor.orgId ?? (await this.intel.orgs.centerOrgId());
    if (id === null)
      throw new KobanError('E_USAGE', 'name the organisation the events come from (--org NAME)');
    return id;
  }
}
