/**
 * The `events` URL of a ClickHouse store: `clickhouse://[USER[:PASSWORD]@]HOST:PORT[,HOST:PORT…]/DB
 * [?cluster=NAME][&secure=1]`. One host is one server; several hosts with `cluster` are the shards
 * of a cluster that every listed server defines in its `remote_servers` (docs/scale.md): the first is
 * the entry node (it holds the small tables and answers reads through Distributed tables), and the
 * adapter creates the local tables on each. PORT is the HTTP port (8123 by default; 8443 with
 * `secure=1`). Credentials come from the URL or from `KOBAN_CLICKHOUSE_USER` and
 * `KOBAN_CLICKHOUSE_PASSWORD`; neither ever appears in an error or a log line.
 */
import { KobanError } from '../../core/index.js';
import { identifier } from './clickhouse-literals.js';

export interface ClickHouseTarget {
  /** HTTP base URLs of the servers, entry node first (no credentials in them). */
  readonly nodes: readonly string[];
  readonly database: string;
  /** The `remote_servers` cluster of the shards; null for one server. */
  readonly cluster: string | null;
  readonly username: string;
  readonly password: string;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

const bad = (why: string): never => {
  // Never echo the URL: it may hold a password.
  throw new KobanError('E_CONFIG', `invalid ClickHouse events URL: ${why} (clickhouse://HOST:PORT/DATABASE)`);
};

/** Parses what follows `clickhouse:` in an `events` URL. */
export function parseClickHouseUrl(rest: string, env: NodeJS.ProcessEnv = process.env): ClickHouseTarget {
  const m = /^\/\/(?:([^@/]*)@)?([^/?#]+)\/([^?#]*)(?:\?([^#]*))?$/.exec(rest);
  if (!m) return bad('expected clickhouse://HOST:PORT/DATABASE');
  const [, auth, hosts, db, query] = m;
  const params = new URLSearchParams(query ?? '');
  for (const key of params.keys()) {
    if (key !== 'cluster' && key !== 'secure') bad(`unknown option "${key.slice(0, 40)}"`);
  }
  const secure = params.get('secure') === '1' || params.get('secure') === 'true';
  const nodes = hosts!.split(',').map((h) => {
    const hp = HOST_PORT.exec(h);
    if (!hp) return bad('a host must be HOST or HOST:PORT');
    const port = hp[2] === undefined ? (secure ? 8443 : 8123) : Number(hp[2]);
    if (port < 1 || port > 65535) return bad('a port must be 1–65535');
    return `${secure ? 'https' : 'http'}://${hp[1]}:${port}`;
  });
  const clusterName = params.get('cluster');
  if (nodes.length > 1 && clusterName === null) bad('several hosts need ?cluster=NAME');
  let username = env.KOBAN_CLICKHOUSE_USER || 'default';
  let password = env.KOBAN_CLICKHOUSE_PASSWORD ?? '';
  if (auth !== undefined) {
    const colon = auth.indexOf(':');
    username = decode(colon < 0 ? auth : auth.slice(0, colon));
    if (colon >= 0) password = decode(auth.slice(colon + 1));
  }
  return {
    nodes,
    database: identifier('database', decode(db!)),
    cluster: clusterName === null ? null : identifier('cluster', clusterName),
    username,
    password,
  };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return bad('bad percent-encoding');
  }
}
