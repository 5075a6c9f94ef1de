/**
 * The `federation` and `taxii` sections of koban.json (docs/sharing.md#federation), validated here
 * because the feeds context owns them (core only knows they are objects). A peer is another Koban
 * center: the partner-center organisation that stands for it on this center (its users' tokens
 * read what is published for it; what is imported from it is owned by it), what this center pulls
 * from it (an API root, a collection, a token read from the environment or a file at each pull —
 * never from koban.json, never logged) and what it publishes to it (up to a TLP ceiling).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { Tlp } from '../../intel/index.js';
import type { TaxiiOptions } from '../taxii/service.js';

/**
 * The most a peer may be given or send: TLP:AMBER+STRICT is "the organization only" and TLP:RED
 * "individual recipients only" (FIRST TLP 2.0) — neither crosses between centers, whatever the
 * configuration says.
 */
export const FEDERATION_TLPS = ['CLEAR', 'GREEN', 'AMBER'] as const;
const FederationTlp = z.enum(FEDERATION_TLPS);

const PeerName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and hyphens (at most 40)');

const PullSchema = z
  .strictObject({
    /** The peer's TAXII API root, e.g. `https://center-b.example/taxii2/koban/`. */
    apiRoot: z.url({ protocol: /^https?$/ }),
    /** The id of the collection the peer publishes for this center. */
    collection: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'a collection id'),
    /** Name of an environment variable holding the bearer token. */
    tokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/)
      .optional(),
    /** A file holding the bearer token (its first line). */
    tokenFile: z.string().min(1).max(4096).optional(),
    intervalSeconds: z.number().int().min(10).max(86_400).default(300),
    /** The most permissive label accepted from this peer; objects above it are not imported. */
    maxTlp: FederationTlp.default('GREEN'),
    /** Pages fetched by one pull at most (the next pull goes on from the cursor). */
    maxPages: z.number().int().min(1).max(10_000).default(100),
    /** The largest page accepted, in bytes (a bigger answer fails the pull). */
    maxPageBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .max(256 * 1024 * 1024)
      .default(16 * 1024 * 1024),
  })
  .refine((p) => (p.tokenEnv === undefined) !== (p.tokenFile === undefined), {
    message: 'give the token as exactly one of tokenEnv or tokenFile',
  });

const PeerSchema = z.strictObject({
  name: PeerName,
  /** The partner-center organisation of this center that stands for the peer. */
  org: z.string().trim().min(1).max(200),
  pull: PullSchema.optional(),
  /** Absent: nothing is published to this peer. */
  publish: z.strictObject({ maxTlp: FederationTlp.default('GREEN') }).optional(),
});

export const FederationConfigSchema = z
  .strictObject({ peers: z.array(PeerSchema).max(100).default([]) })
  .refine((c) => new Set(c.peers.map((p) => p.name)).size === c.peers.length, {
    message: 'peer names must be distinct',
  })
  .refine((c) => new Set(c.peers.map((p) => p.org)).size === c.peers.length, {
    message: 'each peer needs an organisation of its own',
  });

export type FederationConfig = z.output<typeof FederationConfigSchema>;
export type PeerConfig = FederationConfig['peers'][number];
export type PeerPull = NonNullable<PeerConfig['pull']>;

/** What a TAXII collection published for a peer needs to know. */
export interface PeerCollection {
  readonly name: string;
  readonly org: string;
  readonly maxTlp: Tlp;
}

function parsed<T>(schema: z.ZodType<T>, raw: unknown, where: string): T {
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.length ? `.${issue.path.join('.')}` : '';
  throw new KobanError('E_CONFIG', `${where}${path}: ${issue?.message ?? 'invalid'}`);
}

export function federationConfigFrom(raw: unknown, where = 'koban.json: federation'): FederationConfig {
  return parsed(FederationConfigSchema, raw, where);
}

/** The collections this center publishes, one per peer with a `publish` entry. */
export function peerCollections(c: FederationConfig): PeerCollection[] {
  return c.peers.flatMap((p) => (p.publish ? [{ name: p.name, org: p.org, maxTlp: p.publish.maxTlp }] : []));
}

const TaxiiConfigSchema = z.strictObject({
  title: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  pageSize: z.number().int().min(1).max(10_000).optional(),
  syncEverySeconds: z.number().int().min(0).max(86_400).optional(),
  maxContentLength: z
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .optional(),
});

/** The `taxii` section as TaxiiService options (only what the operator set). */
export function taxiiOptionsFrom(raw: unknown, where = 'koban.json: taxii'): Partial<TaxiiOptions> {
  const t = parsed(TaxiiConfigSchema, raw, where);
  return {
    ...(t.title !== undefined ? { title: t.title } : {}),
    ...(t.description !== undefined ? { description: t.description } : {}),
    ...(t.pageSize !== undefined ? { pageSize: t.pageSize } : {}),
    ...(t.syncEverySeconds !== undefined ? { syncEveryMs: t.syncEverySeconds * 1000 } : {}),
    ...(t.maxContentLength !== undefined ? { maxContentLength: t.maxContentLength } : {}),
  };
}

/**
 * The bearer token of a pull, read now (a rotated token is picked up at the next pull). The
 * message of a failure names where the token should be, never a token.
 */
export async function readPeerToken(
  peer: { readonly name: string; readonly pull: PeerPull },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const { tokenEnv, tokenFile } = peer.pull;
  let token: string | undefined;
  if (tokenEnv !== undefined) token = env[tokenEnv];
  else if (tokenFile !== undefined) {
    try {
      token = (await readFile(tokenFile, 'utf8')).split(/\r?\n/)[0];
    } catch (e) {
      throw new KobanError(
        'E_CONFIG',
        `federation peer ${peer.name}: cannot read tokenFile ${tokenFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const t = token?.trim() ?? '';
  if (t === '')
    throw new KobanError(
      'E_CONFIG',
      `federation peer ${peer.name}: no token in ${tokenEnv !== undefined ? `$${tokenEnv}` : tokenFile}`,
    );
  return t;
}
