/** DuckDB SQL of the detection families (see detection-rows.ts for what each means). */
import { SKETCH_EXACT_MAX } from '../address-sketch.js';
import {
  type DetectionFamily,
  type DetectionRange,
  INBOUND_MIN_PACKETS,
  INBOUND_TOP,
  REFLECTOR_SERVICES,
} from '../ports/detection-rows.js';

// Numbers come back as DOUBLE and INTEGER rather than BIGINT: JavaScript numbers, not BigInts to
// convert (reading the rows costs more than the query itself).
const MINUTE = '((ts_ms // 60000) * 60000)::DOUBLE';

function rangeWhere(r: DetectionRange): string {
  return 'fromMs' in r
    ? `ts_ms >= ${Math.trunc(r.fromMs)} AND ts_ms < ${Math.trunc(r.toMs)}`
    : `batch > ${Math.trunc(r.afterBatch)} AND batch <= ${Math.trunc(r.upToBatch)}`;
}

/** TCP SYN+ACK (0x12 set, SYN and ACK) or RST; ICMP replies and errors; ICMPv6 errors and echo reply. */
const IS_BACKSCATTER = `(
  (proto = 6 AND tcp_flags IS NOT NULL AND ((tcp_flags & 18) = 18 OR (tcp_flags & 4) = 4))
  OR (proto = 1 AND icmp_type IN (0, 3, 4, 5, 11, 12, 14, 16, 18))
  OR (proto = 58 AND icmp_type IN (1, 2, 3, 4, 129)))`;

const IS_ICMP_ERROR = `((proto = 1 AND icmp_type IN (3, 4, 5, 11, 12)) OR (proto = 58 AND icmp_type IN (1, 2, 3, 4)))`;

/**
 * UDP datagrams that carry application bytes (the payload length a capture records, else the IP
 * length a firewall logs less the IP and UDP headers): deliveries such as Messenger spam and
 * single-datagram worms, as opposed to empty probes.
 */
const UDP_PAYLOAD = `(proto = 17 AND coalesce(payload_len::BIGINT, len::BIGINT - CASE WHEN src4 IS NULL THEN 48 ELSE 28 END, 0) > 0)`;

/** Probes: TCP SYN without ACK (or flags unknown), UDP, ICMP echo request. */
const IS_PROBE = `(
  (proto = 6 AND (tcp_flags IS NULL OR ((tcp_flags & 2) = 2 AND (tcp_flags & 16) = 0)))
  OR proto = 17
  OR (proto = 1 AND icmp_type = 8) OR (proto = 58 AND icmp_type = 128))`;

/**
 * The inbound vector as its index in INBOUND_VECTORS (syn, syn-ack, udp-reflection, udp, tcp, icmp,
 * other), and the port that names it: the destination port, or the source port for replies.
 */
const INBOUND_VECTOR = `CASE
    WHEN proto = 6 AND tcp_flags IS NOT NULL AND (tcp_flags & 18) = 2 THEN 0
    WHEN proto = 6 AND tcp_flags IS NOT NULL AND (tcp_flags & 18) = 18 THEN 1
    WHEN proto = 6 THEN 4
    WHEN proto = 17 AND sport IN (${REFLECTOR_SERVICES.map((r) => r.port).join(', ')}) THEN 2
    WHEN proto = 17 THEN 3
    WHEN proto IN (1, 58) THEN 5
    ELSE 6 END`;

/**
 * The `n` most frequent values of a 16-bit column per group, as one list of BIGINT keys:
 * count · 65536 + (65535 − value), largest first — the count and the value in one number, so that
 * `max(key, n)` ranks by count and breaks ties by the smaller value, the same order every run.
 */
const TOP16 = (
  column: string,
  filter: string,
): string => `SELECT k, max(n * 65536 + (65535 - ${column}), ${INBOUND_TOP}) AS top
    FROM (SELECT k, ${column}, count(*)::BIGINT AS n FROM q WHERE ${filter} GROUP BY k, ${column}) GROUP BY k`;

/**
 * Two passes: the groups with at least INBOUND_MIN_PACKETS packets (a cheap count by a hash of the
 * group), then the distinct counts and the top source ports and countries for their events alone —
 * most groups are a packet or two of background, and the distinct counts are the expensive part.
 */
const INBOUND_SQL = (where: string): string => `WITH e AS (
  SELECT m, ts_ms, sensor, dst4, dst6, proto, src4, src6, sport, len, scope, country, v, p, slot,
    hash(m, sensor, dst4, dst6, proto, v, CASE WHEN v = 2 THEN p END) AS k
  FROM (SELECT ${MINUTE} AS m, ts_ms, sensor, dst4, dst6, proto, src4, src6, sport, len, scope, country, v,
          CASE WHEN v IN (1, 2) THEN sport WHEN v IN (0, 3, 4) THEN dport END AS p,
          (ts_ms % 60000) // 10000 AS slot
        FROM (SELECT *, ${INBOUND_VECTOR} AS v FROM events WHERE ${where} AND kind IN (1, 3)))),
q AS MATERIALIZED (SELECT * FROM e WHERE k IN (SELECT k FROM e GROUP BY k HAVING count(*) >= ${INBOUND_MIN_PACKETS})),
sp AS (${TOP16('sport', 'sport IS NOT NULL')}),
cc AS (${TOP16('country', 'country <> 0')}),
g AS (SELECT k, m, sensor, dst4, dst6, proto, v, mode(p)::INTEGER AS port,
    count(DISTINCT p)::INTEGER AS ports, count(*)::INTEGER AS packets, coalesce(sum(len), 0)::DOUBLE AS bytes,
    (count(DISTINCT src4) + count(DISTINCT src6))::INTEGER AS sources, count(DISTINCT src4 // 65536)::INTEGER AS s16,
    count(DISTINCT sport)::INTEGER AS sports,
    (count(DISTINCT src4) FILTER (WHERE scope <> 0) + count(DISTINCT src6) FILTER (WHERE scope <> 0))::INTEGER AS unroutable,
    min(ts_ms)::DOUBLE AS first, max(ts_ms)::DOUBLE AS last,
    ${[0, 1, 2, 3, 4, 5].map((k) => `(count(*) FILTER (WHERE slot = ${k}))::INTEGER AS t${k}`).join(', ')}
  FROM q GROUP BY k, m, sensor, dst4, dst6, proto, v, CASE WHEN v = 2 THEN p END
  HAVING count(*) >= ${INBOUND_MIN_PACKETS} AND (dst4 IS NOT NULL OR dst6 IS NOT NULL))
SELECT m, sensor, dst4, dst6, proto, v, port, ports, packets, bytes, sources, s16, sports, unroutable,
    first, last, t0, t1, t2, t3, t4, t5, sp.top, cc.top
  FROM g LEFT JOIN sp USING (k) LEFT JOIN cc USING (k) ORDER BY m, sensor, dst4, dst6, v, port`;

/**
 * The key of a monitored address hit (address-sketch.ts): an IPv4 address itself, an IPv6 one
 * hashed; then MurmurHash3's fmix32 of it, in UBIGINT arithmetic modulo 2^32 (a product of two
 * 32-bit numbers fits in 64 bits), as `mix32` computes it.
 */
const ADDRESS_KEY = `coalesce(dst4::UBIGINT, hash(dst6) % 4294967296)`;
const MIXED = `SELECT *, xor(h2, h2 >> 16) AS h FROM (
    SELECT *, (xor(h1, h1 >> 13) * 3266489909::UBIGINT) % 4294967296 AS h2 FROM (
      SELECT *, (xor(k, k >> 16) * 2246822507::UBIGINT) % 4294967296 AS h1 FROM raw))`;
/** `register × 32 + rank` of the mixed key (`hllEntry`): 10 register bits, the rank of the other 22. */
const HLL_ENTRY = `((h >> 22) * 32 + CASE WHEN h % 4194304 = 0 THEN 23
    ELSE 22 - floor(log2(h % 4194304))::INTEGER END)::INTEGER`;

/**
 * Backscatter rows: victim, attacked port and reply type per minute, with the addresses hit as the
 * exact keys (at most SKETCH_EXACT_MAX of them) or as HyperLogLog entries, so that the detector can
 * count distinct addresses over any window.
 */
function backscatterSql(where: string): string {
  return `WITH raw AS (
      SELECT ${MINUTE} AS m,
        CASE WHEN ${IS_ICMP_ERROR} THEN q_dst4 ELSE src4 END AS v4,
        CASE WHEN ${IS_ICMP_ERROR} THEN q_dst6 ELSE src6 END AS v6,
        CASE WHEN ${IS_ICMP_ERROR} THEN coalesce(q_proto, proto) ELSE proto END AS p,
        CASE WHEN ${IS_ICMP_ERROR} THEN q_dport ELSE sport END AS port,
        CASE WHEN proto = 6 AND (tcp_flags & 4) = 4 THEN 'rst'
             WHEN proto = 6 THEN 'syn-ack'
             WHEN proto = 1 THEN 'icmp-' || icmp_type
             ELSE 'icmpv6-' || icmp_type END AS reply,
        len, dst4, sensor, ts_ms, ${ADDRESS_KEY} AS k,
        (${IS_ICMP_ERROR} AND coalesce(q_src4::VARCHAR, q_src6) IS DISTINCT FROM coalesce(dst4::VARCHAR, dst6)) AS mismatch
      FROM events WHERE ${where} AND kind IN (1, 3) AND ${IS_BACKSCATTER})
    SELECT m, v4, v6, p, port, reply,
      count(*)::INTEGER, coalesce(sum(len), 0)::DOUBLE,
      count(DISTINCT k)::INTEGER,
      CASE WHEN count(DISTINCT k) <= ${SKETCH_EXACT_MAX} THEN list(DISTINCT k::UINTEGER) END,
      CASE WHEN count(DISTINCT k) > ${SKETCH_EXACT_MAX} THEN list(DISTINCT ${HLL_ENTRY}) END,
      list(DISTINCT (dst4 // 65536)::INTEGER) FILTER (WHERE dst4 IS NOT NULL),
      count(DISTINCT sensor)::INTEGER, min(ts_ms)::DOUBLE, max(ts_ms)::DOUBLE,
      (count(*) FILTER (WHERE mismatch))::INTEGER
    FROM (${MIXED})
    GROUP BY m, v4, v6, p, port, reply HAVING v4 IS NOT NULL OR v6 IS NOT NULL ORDER BY m`;
}

export function detectionSql(family: DetectionFamily, r: DetectionRange): string {
  const where = rangeWhere(r);
  switch (family) {
    case 'probes':
      return `SELECT ${MINUTE} AS m, sensor, kind, proto, dport, src4, src6, dst4, dst6, country, asn, count(*)::INTEGER,
          ${UDP_PAYLOAD} AS udp_payload
        FROM events WHERE ${where} AND kind IN (1, 3) AND ${IS_PROBE}
        GROUP BY ALL ORDER BY m`;
    case 'backscatter':
      return backscatterSql(where);
    case 'payloads':
      return `SELECT ${MINUTE} AS m, proto, dport, payload_len, payload_hash, src4, src6, country, sensor, count(*)::INTEGER
        FROM events WHERE ${where} AND payload_len IS NOT NULL AND payload_len > 0
        GROUP BY ALL ORDER BY m`;
    case 'ids':
      return `SELECT ${MINUTE} AS m, e.gid, e.sid, s.signature, e.technique, e.proto, e.dport, e.src4, e.src6, e.country, e.sensor, count(*)::INTEGER
        FROM events e LEFT JOIN signatures s ON s.gid = e.gid AND s.sid = e.sid
        WHERE ${where.replace(/ts_ms|batch/g, (c) => `e.${c}`)} AND e.kind = 2 AND e.sid IS NOT NULL
        GROUP BY ALL ORDER BY m`;
    case 'sensor-volume':
      return `SELECT ${MINUTE} AS m, sensor, kind, count(*)::INTEGER FROM events WHERE ${where} GROUP BY ALL ORDER BY m`;
    case 'inbound':
      return INBOUND_SQL(where);
  }
}

/** Per sensor and IPv4 /24 of destination: firewall and darknet events (ports/destinations.ts). */
export function destinationBlocksSql(r: DetectionRange): string {
  return `SELECT sensor, (dst4 // 256 * 256)::UINTEGER AS net, min(dst4)::UINTEGER, max(dst4)::UINTEGER,
      count(DISTINCT dst4)::INTEGER, count(DISTINCT coalesce(src4::VARCHAR, src6))::INTEGER,
      count(*)::DOUBLE, min(ts_ms)::DOUBLE, max(ts_ms)::DOUBLE
    FROM events WHERE ${rangeWhere(r)} AND kind IN (1, 3) AND dst4 IS NOT NULL
    GROUP BY sensor, net`;
}
