/**
 * Login throttling with in-memory token buckets (core/token-buckets.ts): one bucket per (client
 * address, account) pair and one per client address, both charged for every attempt. A bucket
 * holds `capacity` attempts and gains one back every `refillIntervalMs`, so bursts (a mistyped
 * password or two) pass and sustained guessing runs at the refill rate (OWASP Authentication
 * Cheat Sheet, "Login Throttling"; NIST SP 800-63B §5.2.2 asks verifiers to limit failed
 * attempts). No bucket is keyed on the account alone: anyone could then empty it and lock the
 * real user out from every address (OWASP: "Account Lockout" is a denial of service). An attacker
 * guessing one account is bounded by the addresses (IPv6: /64 blocks) they control times the
 * pair rate. The state is per process: behind a load balancer each copy throttles on its own,
 * which still bounds an attacker to N × the rate.
 */
import { parseIPv6, type TokenBucketOptions, TokenBuckets } from '../core/index.js';

// The buckets live in core (the intel context limits submissions with them too); re-exported for
// the web side's callers.
export { type TokenBucketOptions, TokenBuckets };

export interface LoginThrottleOptions {
  /** One account from one client address. Default: 5 attempts, then one a minute. */
  readonly perAccount?: TokenBucketOptions;
  /** Default: 20 attempts, then one every 3 s (an office behind one NAT address logs in together). */
  readonly perAddress?: TokenBucketOptions;
}

export const DEFAULT_LOGIN_THROTTLE: Required<LoginThrottleOptions> = {
  perAccount: { capacity: 5, refillIntervalMs: 60_000 },
  perAddress: { capacity: 20, refillIntervalMs: 3_000 },
};

/**
 * Login attempts, limited per (client address, account) pair and per client address. An IPv6
 * client is keyed by its /64: one host usually holds a whole /64 and could otherwise rotate
 * through it.
 */
export class LoginThrottle {
  private readonly pairs: TokenBuckets;
  private readonly addresses: TokenBuckets;

  constructor(opts: LoginThrottleOptions = {}, now: () => number = Date.now) {
    this.pairs = new TokenBuckets(opts.perAccount ?? DEFAULT_LOGIN_THROTTLE.perAccount, now);
    this.addresses = new TokenBuckets(opts.perAddress ?? DEFAULT_LOGIN_THROTTLE.perAddress, now);
  }

  /**
   * Charges one attempt to both buckets; returns 0 when the attempt may go ahead, else the
   * milliseconds to wait. Nothing is charged when either bucket is empty.
   */
  attempt(account: string, address: string): number {
    const ip = addressKey(address);
    const pair = pairKey(account, ip);
    const wait = Math.max(this.pairs.waitMs(pair), this.addresses.waitMs(ip));
    if (wait > 0) return wait;
    this.pairs.take(pair);
    this.addresses.take(ip);
    return 0;
  }

  /** A correct password refills the pair's bucket: its owner's earlier typos stop counting. */
  succeeded(account: string, address: string): void {
    this.pairs.reset(pairKey(account, addressKey(address)));
  }
}

function pairKey(account: string, addressKeyText: string): string {
  // NUL cannot occur in an address key, so no two pairs share a key.
  return `${addressKeyText}\u0000${account.trim().toLowerCase()}`;
}

export function addressKey(address: string): string {
  const a = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (!a.includes(':')) return a;
  const bytes = parseIPv6(a);
  return bytes ? `${Buffer.from(bytes.subarray(0, 8)).toString('hex')}::/64` : a;
}
