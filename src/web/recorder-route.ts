/**
 * The center's countersigning of recorder heads (docs/recorder-format.md#countersignatures-from-the-center):
 * `POST /api/v1/recorder/heads` (a member's token: the head of its machine's chain in, the
 * center's countersignature out; write-once, 409 for another hash at a held position),
 * `GET /api/v1/recorder/heads?fingerprint=` (the organisation's own machines only) and
 * `GET /api/v1/recorder/center-key` (public: the key verifiers check countersignatures with).
 */
import { z } from 'zod';
import { KobanError } from '../core/index.js';
import type { Actor } from '../intel/index.js';
import { CountersignatureSchema, MAX_HEADS_PAGE, type RecorderHeads } from '../recorder/index.js';
import type { ApiRoutes } from './api-route.js';

export const RECORDER_HEADS_PATH = '/api/v1/recorder/heads';
export const RECORDER_CENTER_KEY_PATH = '/api/v1/recorder/center-key';
/** A head is three short fields; anything larger is not one. */
const MAX_HEAD_BODY_BYTES = 4096;

const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const RawKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const HeadSubmissionSchema = z
  .strictObject({
    keyFingerprint: Hash.optional().describe('SHA-256 (hex) of the raw machine public key.'),
    publicKey: RawKey.optional().describe(
      'The raw Ed25519 machine public key (base64url), instead of or with the fingerprint.',
    ),
    headSeq: z
      .number()
      .int()
      .nonnegative()
      .max(Number.MAX_SAFE_INTEGER)
      .describe('The `seq` of the head record.'),
    head: Hash.describe('Its `hash`.'),
  })
  .refine((b) => b.keyFingerprint !== undefined || b.publicKey !== undefined, {
    message: 'give keyFingerprint or publicKey',
  });

const HeadsQuery = z.strictObject({
  fingerprint: Hash.describe('The machine key fingerprint.'),
  fromSeq: z.coerce.number().int().nonnegative().optional().describe('From this head sequence number on.'),
  limit: z.coerce.number().int().min(1).max(MAX_HEADS_PAGE).optional(),
});

const HeadListSchema = z.strictObject({
  keyFingerprint: Hash,
  countersignatures: z.array(CountersignatureSchema),
  conflicts: z.number().int().describe('Refused submissions of another hash at a held position.'),
});

const CenterKeySchema = z.strictObject({
  algorithm: z.literal('Ed25519'),
  publicKey: RawKey.describe('The raw 32-byte public key, base64url (`koban recorder verify --center-key`).'),
  keyId: z.string().describe('`centerKeyId` of its countersignatures.'),
});

/** A member organisation's user (token or session): the machine keys are the organisation's. */
function memberOrg(actor: Actor): number {
  if (actor.kind !== 'user' || actor.orgId === null)
    throw new KobanError('E_AUTH', "a member organisation's API token or session is required");
  return actor.orgId;
}

export function mountRecorderRoutes(
  api: ApiRoutes,
  heads: Pick<RecorderHeads, 'submit' | 'list' | 'publicKey' | 'keyId'>,
): void {
  api.registry.name(
    CountersignatureSchema,
    'Countersignature',
    "The center's countersignature of a recorder head.",
  );
  api.add(
    {
      tags: ['recorder'],
      auth: 'actor',
      scope: 'reports:write',
      method: 'post',
      path: RECORDER_HEADS_PATH,
      operationId: 'countersignRecorderHead',
      summary: "Countersign the head of a member machine's recorder chain",
      description:
        'Keeps the head write-once and answers its countersignature (Ed25519 with the center key over ' +
        '`koban recorder head\\n{keyFingerprint}\\n{headSeq}\\n{head}\\n{centerTime}`), in the form ' +
        '`koban recorder verify` checks. 201 for a new head, 200 with the first countersignature for ' +
        'the same head again, 409 (and recorded) for another hash at a held position. A machine key ' +
        'belongs to the organisation that first submitted for it (403 for others).',
      body: { json: { schema: HeadSubmissionSchema, maxBytes: MAX_HEAD_BODY_BYTES } },
      responses: {
        200: {
          description: 'The head was held already: its countersignature.',
          schema: CountersignatureSchema,
        },
        201: { description: 'The countersignature.', schema: CountersignatureSchema },
      },
      errors: [409],
    },
    async ({ actor, body }) => {
      const orgId = memberOrg(actor);
      const r = await heads.submit({ orgId, label: actor.label }, body.value);
      return { status: r.created ? 201 : 200, body: r.countersignature };
    },
  );
  api.add(
    {
      tags: ['recorder'],
      auth: 'actor',
      scope: 'reports:read',
      method: 'get',
      path: RECORDER_HEADS_PATH,
      operationId: 'listRecorderHeads',
      summary: "The countersigned heads of one of the organisation's machines",
      description:
        'In sequence order, at most 1000 a page (`fromSeq` pages on): what `koban recorder verify ' +
        '--countersignatures` reads. A key of another organisation is not found (404).',
      query: HeadsQuery,
      responses: { 200: { description: 'The countersignatures.', schema: HeadListSchema } },
      errors: [404],
    },
    async ({ actor, query }) => {
      const orgId = memberOrg(actor);
      const r = await heads.list(orgId, query.fingerprint, { fromSeq: query.fromSeq, limit: query.limit });
      return { status: 200, body: { keyFingerprint: query.fingerprint, ...r } };
    },
  );
  api.add(
    {
      tags: ['recorder'],
      auth: 'none',
      method: 'get',
      path: RECORDER_CENTER_KEY_PATH,
      operationId: 'getRecorderCenterKey',
      summary: "The center's public key for countersignatures",
      description: 'Public: anyone verifying a recorder chain fetches it (and should pin it).',
      responses: { 200: { description: 'The key.', schema: CenterKeySchema } },
    },
    async () => ({
      status: 200,
      body: { algorithm: 'Ed25519', publicKey: heads.publicKey, keyId: heads.keyId },
    }),
  );
}
