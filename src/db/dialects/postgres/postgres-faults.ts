/**
 * Which PostgreSQL failures are the store's, not the query's, and what the operator does about
 * each: the server unreachable or gone (SQLSTATE class 08, 57P01–57P03, a refused or reset TCP
 * connection), out of resources (class 53: disk full, memory, connections) or a system error
 * (class 58), damaged data (XX001, XX002), and a login the server refuses (class 28, a database
 * that does not exist: 3D000) — https://www.postgresql.org/docs/current/errcodes-appendix.html.
 * A query's own errors (a constraint, a syntax error) pass through unchanged, as on SQLite.
 */
import { KobanError, type StoreStatus } from '../../../core/index.js';

export type PostgresFault = 'unreachable' | 'resources' | 'damaged' | 'refused';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** What `pg` says, without addresses (health answers may be public). */
export function pgFault(e: unknown): { fault: PostgresFault; problem: string } | null {
  if (!(e instanceof Error)) return null;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code))
      return { fault: 'unreachable', problem: `cannot reach the server (${code})` };
    if (/^08/.test(code) || /^57P0[123]$/.test(code)) return { fault: 'unreachable', problem: e.message };
    if (/^5[38]/.test(code)) return { fault: 'resources', problem: e.message };
    if (code === 'XX001' || code === 'XX002') return { fault: 'damaged', problem: e.message };
    if (/^28/.test(code) || code === '3D000') return { fault: 'refused', problem: e.message };
    return null;
  }
  // pg's own errors for a connection lost or never made carry no code. Its two timeouts (the
  // pool's and the client's, armed together) say the same thing in different words: one message.
  if (/^timeout exceeded when trying to connect|due to connection timeout/i.test(e.message))
    return { fault: 'unreachable', problem: 'no answer from the server (connection timeout)' };
  if (/^Connection terminated|not queryable|^Client was closed/i.test(e.message))
    return { fault: 'unreachable', problem: e.message };
  return null;
}

const ADVICE: Record<PostgresFault, string> = {
  unreachable: 'check that the PostgreSQL server is running and reachable from here, then retry',
  resources: 'check the PostgreSQL server (free space, memory, max_connections, its log), then retry',
  damaged:
    'the database is damaged: stop Koban, see the PostgreSQL server’s log and restore the database from the last backup (README, "PostgreSQL")',
  refused:
    'check the URL (user, password, database name) and that the database exists (README, "PostgreSQL")',
};

/**
 * The health of one PostgreSQL store, as `StoreHealth` is a file's: the last failure of the server
 * (damage kept until restart; anything else until a statement goes through again).
 */
export class PostgresHealth {
  private fault: { kind: PostgresFault; problem: string } | null = null;

  constructor(
    /** The URL without its password (describeRelationalUrl), for messages to the operator. */
    readonly described: string,
  ) {}

  /** Records the failure and returns the error to throw in place of `pg`'s. */
  fail(kind: PostgresFault, problem: string, cause?: unknown): KobanError {
    if (this.fault?.kind !== 'damaged' || kind === 'damaged') this.fault = { kind, problem };
    const detail = problem.replace(/\s+/g, ' ').trim();
    return new KobanError(
      kind === 'refused' ? 'E_CONFIG' : 'E_STORE',
      `${this.described}: ${detail}; ${ADVICE[kind]}`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** A statement went through: the server is back. */
  succeeded(): void {
    if (this.fault !== null && this.fault.kind !== 'damaged') this.fault = null;
  }

  status(): StoreStatus {
    if (!this.fault) return { store: 'relational', ok: true };
    return { store: 'relational', ok: false, error: `postgresql: ${this.fault.problem}` };
  }
}
