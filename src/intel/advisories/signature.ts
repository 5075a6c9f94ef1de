/**
 * Webhook signatures. Each delivery carries `X-Koban-Timestamp` (Unix seconds) and
 * `X-Koban-Signature: sha256=<hex>`, the HMAC-SHA256 (RFC 2104, FIPS 180-4) under the receiving
 * organisation's secret of `<timestamp>.<body>` — the body exactly as sent. Signing the timestamp
 * with the body lets a receiver refuse replays of an old delivery (a tolerance of five minutes by
 * default); `X-Koban-Delivery` names the delivery, so a retried one can be recognised.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-koban-signature';
export const TIMESTAMP_HEADER = 'x-koban-timestamp';
export const DELIVERY_HEADER = 'x-koban-delivery';
export const EVENT_HEADER = 'x-koban-event';

/** 256 random bits, base64url: the per-organisation key, shown once when the webhook is added. */
export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** What a member's receiver checks: the signature, in constant time, and the timestamp's age. */
export function verifyWebhookSignature(
  secret: string,
  got: { signature: string | null | undefined; timestamp: string | null | undefined; body: string },
  opts: { nowMs?: number; toleranceS?: number } = {},
): boolean {
  if (!got.signature || !got.timestamp || !/^\d{1,12}$/.test(got.timestamp)) return false;
  const ts = Number(got.timestamp);
  const nowS = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowS - ts) > (opts.toleranceS ?? 300)) return false;
  const want = Buffer.from(signWebhook(secret, ts, got.body));
  const have = Buffer.from(got.signature);
  return have.length === want.length && timingSafeEqual(have, want);
}
