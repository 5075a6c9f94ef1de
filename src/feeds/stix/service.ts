/**
 * STIX 2.1 in and out over the intel services. Out: the snapshot of what the caller (or, for
 * center staff, a chosen audience) may see — read through intel's one access check — rendered by
 * export.ts, imported objects keeping their partner's ids. In: a file or text, bounded in size,
 * detected (formats.ts), planned object by object (import-plan.ts) and applied (import-bundle.ts, import-apply.ts).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { KobanError } from '../../core/index.js';
import type { Actor, IntelService, SharingSnapshot, Tlp } from '../../intel/index.js';
import { detectFormat, requireStix } from '../formats.js';
import { type ExternalVersion, type StixBundle, stixBundle } from './export.js';
import { applyImport, type ImportOutcome } from './import-bundle.js';
import { planImport } from './import-plan.js';
import { withdrawnApplied } from './withdrawals.js';

export interface StixLimits {
  /** A bundle larger than this is refused whole (default 32 MiB). */
  readonly maxBundleBytes: number;
  /** A bundle with more objects is refused whole (default 100,000). */
  readonly maxObjects: number;
}

export const DEFAULT_STIX_LIMITS: StixLimits = { maxBundleBytes: 32 * 1024 * 1024, maxObjects: 100_000 };

export interface ImportOptions {
  /** The organisation the objects are attributed to (default: the actor's, or the center). */
  readonly org?: string | undefined;
  /** The source named on each report (default: the bundle's producer, else the organisation). */
  readonly source?: string | undefined;
  /** The label of objects that carry no TLP marking (default AMBER). */
  readonly defaultTlp?: Tlp | undefined;
  /** Objects labelled above this are skipped with their reason (default: none refused for their label). */
  readonly maxTlp?: Tlp | undefined;
}

export interface FileImport extends ImportOutcome {
  readonly file: string;
  readonly format: 'stix-2.1';
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const IN_CHUNK = 500;

export class StixService {
  private readonly limits: StixLimits;

  constructor(
    private readonly intel: IntelService,
    limits: Partial<StixLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_STIX_LIMITS, ...limits };
  }

  /**
   * What the actor — or `audience`, chosen by center staff — may see, as one bundle; `narrow`
   * (federation) may only take away from what the access check let through.
   */
  async exportBundle(
    actor: Actor,
    audience?: string,
    narrow?: (s: SharingSnapshot) => Promise<SharingSnapshot>,
  ): Promise<StixBundle> {
    const read = await this.intel.sharing.snapshot(actor, audience, 'stix');
    // Less what sources revoked; a revoked report stays, exported as revoked (withdrawals.ts).
    const { snapshot: current } = await withdrawnApplied(this.intel, read, true);
    const snapshot = narrow ? await narrow(current) : current;
    const external = new Map<string, ExternalVersion>();
    const ask = async (type: string, ids: readonly number[]) => {
      for (let i = 0; i < ids.length; i += IN_CHUNK) {
        const rows = await this.intel.db
          .selectFrom('stix_objects')
          .select(['stix_id', 'modified', 'revoked', 'koban_id'])
          .where('koban_type', '=', type)
          .where('koban_id', 'in', ids.slice(i, i + IN_CHUNK))
          .where('stix_type', '=', type)
          .execute();
        for (const r of rows)
          external.set(`${type}:${Number(r.koban_id)}`, {
            stixId: r.stix_id,
            modified: r.modified,
            revoked: Number(r.revoked) === 1,
          });
      }
    };
    await ask(
      'report',
      snapshot.reports.map((r) => r.id),
    );
    await ask(
      'campaign',
      snapshot.campaigns.map((c) => c.id),
    );
    return stixBundle({ snapshot, external });
  }

  async importFile(actor: Actor, file: string, opts: ImportOptions = {}): Promise<FileImport> {
    const size = (await stat(file)).size;
    this.checkSize(size, file);
    return this.importText(actor, await readFile(file, 'utf8'), file, opts);
  }

  async importText(actor: Actor, text: string, name: string, opts: ImportOptions = {}): Promise<FileImport> {
    this.checkSize(Buffer.byteLength(text), name);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new KobanError('E_FORMAT', `${name}: not JSON (${(e as Error).message})`);
    }
    const format = requireStix(detectFormat(doc));
    const plan = planImport(doc, {
      defaultTlp: opts.defaultTlp ?? 'AMBER',
      maxTlp: opts.maxTlp,
      maxObjects: this.limits.maxObjects,
      sha256,
    });
    const org = await this.attributedOrg(actor, opts.org);
    const outcome = await applyImport(
      this.intel,
      actor,
      plan,
      { orgId: org.id, source: opts.source ?? plan.producer ?? org.name },
      this.now,
    );
    return { file: name, format, ...outcome };
  }

  private checkSize(bytes: number, name: string): void {
    if (bytes > this.limits.maxBundleBytes)
      throw new KobanError(
        'E_LIMIT',
        `${name}: ${bytes} bytes; a bundle may hold at most ${this.limits.maxBundleBytes} bytes (split it, or raise the limit)`,
      );
  }

  private async attributedOrg(actor: Actor, name: string | undefined): Promise<{ id: number; name: string }> {
    if (name !== undefined) return this.intel.orgs.requireByName(name);
    const id = actor.orgId ?? (await this.intel.orgs.centerOrgId());
    const org = id === null ? null : await this.intel.orgs.get(id);
    if (!org) throw new KobanError('E_USAGE', 'name the organisation the objects come from (--org NAME)');
    return org;
  }
}
