/**
 * Login throttling with in-memory token buckets (core/token-buckets.ts): one bucket per account and
 * one per client address, both charged for every attempt. A bucket holds `capacity` attempts and gains
 * one back every `refillIntervalMs`, so bursts (a mistyped password or two) pass and sustained
 * guessing runs at the refill rate (OWASP Authentication Cheat Sheet, "Login Throttling"; NIST SP
 * 800-63B §5.2.2 asks verifiers to limit failed attempts). The state is per process: behind a load
 * balancer each copy throttles on its own, which still bounds an attacker to N × the rate.
 */
import { parseIPv6, type TokenBucketOptions, TokenBuckets } from '../core/index.js';

// The buckets live in core (the intel context limits submissions with them too); re-exported for
// the web side's callers.
export { type TokenBucketOptions, TokenBuckets };

export interface LoginThrottleOptions {
  /** Default: 5 attempts, then one a minute. */
  readonly perAccount?: TokenBucketOptions;
  /** Default: 20 attempts, then one every 3 s (an office behind one NAT address logs in together). */
  readonly perAddress?: TokenBucketOptions;
}

export const DEFAULT_LOGIN_THROTTLE: Required<LoginThrottleOptions> = {
  perAccount: { capacity: 5, refillIntervalMs: 60_000 },
  perAddress: { capacity: 20, refillIntervalMs: 3_000 },
};

/**
 * Login attempts, limited per account and per client address. An IPv6 client is keyed by its /64:
 * one host usually holds a whole /64 and could otherwise rotate through it.
 */
export class LoginThrottle {
  private readonly accounts: TokenBuckets;
  private readonly addresses: TokenBuckets;

  constructor(opts: LoginThrottleOptions = {}, now: () => number = Date.now) {
    this.accounts = new TokenBuckets(opts.perAccount ?? DEFAULT_LOGIN_THROTTLE.perAccount, now);
    this.addresses = new TokenBuckets(opts.perAddress ?? DEFAULT_LOGIN_THROTTLE.perAddress, now);
  }

  /**
   * Charges one attempt to both buckets; returns 0 when the attempt may go ahead, else the
   * milliseconds to wait. Nothing is charged when either bucket is empty.
   */
  attempt(account: string, address: string): number {
    const a = accountKey(account);
    const ip = addressKey(address);
    const wait = Math.max(this.accounts.waitMs(a), this.addresses.waitMs(ip));
    if (wait > 0) return wait;
    this.accounts.take(a);
    this.addresses.take(ip);
    return 0;
  }

  /** A correct password refills the account's bucket: its owner's earlier typos stop counting. */
  succeeded(account: string): void {
    this.accounts.reset(accountKey(account));
  }
}

function accountKey(account: string): string {
  return account.trim().toLowerCase();
}

export function addressKey(address: string): string {
  const a = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (!a.includes(':')) return a;
  const bytes = parseIPv6(a);
  return bytes ? `${Buffer.from(bytes.subarray(0, 8)).toString('hex')}::/64` : a;
}
