/**
 * ClickHouse SQL of the detection families (detection-rows.ts says what each means), written for
 * 18.16 and current servers alike: expressions are named in a `WITH` list and grouped on directly
 * (so a Distributed table aggregates on the shards and merges the partial states), conditions
 * never see a NULL (`ifNull` first), and `&` is `bitAnd`. The sensor-volume family reads the minute
 * aggregates (clickhouse-schema.ts) when the range is whole minutes or batches.
 */
import {
  type DetectionFamily,
  type DetectionRange,
  INBOUND_MIN_PACKETS,
  REFLECTOR_SERVICES,
} from '../ports/detection-rows.js';
import { int, timeMs } from './clickhouse-literals.js';
import type { Tables } from './clickhouse-schema.js';

const MINUTE = 'intDiv(ts_ms, 60000) * 60000';

/**
 * Distinct values of a nullable column. 18.16 returns NULL (not 0) for a group whose values are all
 * NULL, and its `%` on Int64 columns gives wrong results (-5537 for 59999 % 60000): neither is used
 * on stored columns here.
 */
export const distinct = (column: string, condition?: string): string =>
  condition === undefined
    ? `ifNull(uniqExact(${column}), 0)`
    : `ifNull(uniqExactIf(${column}, ${condition}), 0)`;
const F = 'ifNull(tcp_flags, 0)';
/** ICMP type 255 is reserved: no list below names it, so a missing type matches none. */
const IT = 'ifNull(icmp_type, 255)';

export function rangeWhere(r: DetectionRange): string {
  return 'fromMs' in r
    ? `ts_ms >= ${timeMs('from', r.fromMs)} AND ts_ms < ${timeMs('to', r.toMs)}`
    : `batch > ${int('cursor', r.afterBatch, 0)} AND batch <= ${int('cursor', r.upToBatch, 0)}`;
}

/** TCP SYN+ACK or RST; ICMP replies and errors; ICMPv6 errors and echo reply. */
const IS_BACKSCATTER = `(
  (proto = 6 AND isNotNull(tcp_flags) AND (bitAnd(${F}, 18) = 18 OR bitAnd(${F}, 4) = 4))
  OR (proto = 1 AND ${IT} IN (0, 3, 4, 5, 11, 12, 14, 16, 18))
  OR (proto = 58 AND ${IT} IN (1, 2, 3, 4, 129)))`;

const IS_ICMP_ERROR = `((proto = 1 AND ${IT} IN (3, 4, 5, 11, 12)) OR (proto = 58 AND ${IT} IN (1, 2, 3, 4)))`;

/** UDP datagrams that carry application bytes (see duckdb-detect-sql.ts: the same rule). */
const UDP_PAYLOAD = `(proto = 17 AND ifNull(ifNull(toInt64(payload_len), toInt64(len) - if(isNull(src4), 48, 28)), 0) > 0)`;

/** Probes: TCP SYN without ACK (or flags unknown), UDP, ICMP echo request. */
const IS_PROBE = `(
  (proto = 6 AND (isNull(tcp_flags) OR (bitAnd(${F}, 2) = 2 AND bitAnd(${F}, 16) = 0)))
  OR proto = 17 OR (proto = 1 AND ${IT} = 8) OR (proto = 58 AND ${IT} = 128))`;

/** The inbound vector as its index in INBOUND_VECTORS, and the port that names it. */
const INBOUND_WITH = `WITH ${MINUTE} AS m,
  multiIf(
    proto = 6 AND isNotNull(tcp_flags) AND bitAnd(${F}, 18) = 2, 0,
    proto = 6 AND isNotNull(tcp_flags) AND bitAnd(${F}, 18) = 18, 1,
    proto = 6, 4,
    proto = 17 AND ifNull(sport, 0) IN (${REFLECTOR_SERVICES.map((r) => r.port).join(', ')}) AND isNotNull(sport), 2,
    proto = 17, 3,
    proto IN (1, 58), 5,
    6) AS v,
  multiIf(v IN (1, 2), sport, v IN (0, 3, 4), dport, NULL) AS p,
  intDiv(ts_ms - m, 10000) AS slot,
  cityHash64(m, sensor, ifNull(dst4, 0), ifNull(dst6, ''), proto, v, if(v = 2, toInt32(ifNull(p, 0)), -1)) AS k`;

/**
 * The groups of at least INBOUND_MIN_PACKETS packets, with their counts (exact: `uniqExact`). The
 * most frequent port and the top lists come from {@link inboundTopsSql}.
 */
function inboundSql(t: Tables, where: string): string {
  return `${INBOUND_WITH}
    SELECT k, any(m), any(sensor), any(dst4), any(dst6), any(proto), any(v),
      ${distinct('p')}, count(), sum(ifNull(len, 0)), ${distinct('src4')} + ${distinct('src6')},
      ${distinct('intDiv(src4, 65536)')}, ${distinct('sport')},
      ${distinct('src4', 'scope != 0')} + ${distinct('src6', 'scope != 0')}, min(ts_ms), max(ts_ms),
      ${[0, 1, 2, 3, 4, 5].map((i) => `countIf(slot = ${i})`).join(', ')}
    FROM ${t.events} WHERE ${where} AND kind IN (1, 3) AND (isNotNull(dst4) OR isNotNull(dst6))
    GROUP BY k HAVING count() >= ${INBOUND_MIN_PACKETS}`;
}

/**
 * Packets per value of the vector's port (0), source port (1) and source country (2) in the groups
 * {@link inboundSql} returns: the caller ranks them (by packets, then the smaller value).
 */
export function inboundTopsSql(t: Tables, where: string): string {
  const base = `FROM ${t.events} WHERE ${where} AND kind IN (1, 3) AND (isNotNull(dst4) OR isNotNull(dst6))`;
  const big = `k GLOBAL IN (${INBOUND_WITH} SELECT k ${base} GROUP BY k HAVING count() >= ${INBOUND_MIN_PACKETS})`;
  const part = (what: number, value: string, filter: string) =>
    `${INBOUND_WITH} SELECT k, ${what} AS what, toUInt32(${value}) AS val, count() AS n ${base} AND ${filter} AND ${big}
      GROUP BY k, val`;
  return [
    part(0, 'assumeNotNull(p)', 'isNotNull(p)'),
    part(1, 'assumeNotNull(sport)', 'isNotNull(sport)'),
    part(2, 'country', 'country != 0'),
  ].join(' UNION ALL ');
}

/**
 * Backscatter per minute, victim, attacked port and reply type, with the distinct keys of the
 * addresses hit (an IPv4 address itself, an IPv6 one hashed to 32 bits) for the caller to sketch.
 */
function backscatterSql(t: Tables, where: string): string {
  return `WITH ${MINUTE} AS m, ${IS_ICMP_ERROR} AS err,
      if(err, q_dst4, src4) AS v4, if(err, q_dst6, src6) AS v6,
      if(err, ifNull(q_proto, proto), proto) AS vp, if(err, q_dport, sport) AS vport,
      multiIf(proto = 6 AND bitAnd(${F}, 4) = 4, 'rst', proto = 6, 'syn-ack',
        proto = 1, concat('icmp-', toString(${IT})), concat('icmpv6-', toString(${IT}))) AS reply,
      if(isNotNull(dst4), toUInt64(ifNull(dst4, 0)), bitAnd(cityHash64(ifNull(dst6, '')), 4294967295)) AS hit,
      err AND ifNull(if(isNotNull(q_src4), toString(q_src4), q_src6), '')
        != ifNull(if(isNotNull(dst4), toString(dst4), dst6), '') AS mismatch
    SELECT m, v4, v6, vp, vport, reply, count(), sum(ifNull(len, 0)), groupUniqArray(hit),
      groupUniqArrayIf(intDiv(ifNull(dst4, 0), 65536), isNotNull(dst4)), ${distinct('sensor')},
      min(ts_ms), max(ts_ms), countIf(mismatch)
    FROM ${t.events} WHERE ${where} AND kind IN (1, 3) AND ${IS_BACKSCATTER}
    GROUP BY m, v4, v6, vp, vport, reply HAVING isNotNull(v4) OR isNotNull(v6) ORDER BY m`;
}

/** Whether a time range is whole minutes (the minute aggregates answer it exactly). */
function wholeMinutes(r: DetectionRange): boolean {
  return !('fromMs' in r) || (r.fromMs % 60_000 === 0 && r.toMs % 60_000 === 0);
}

export function detectionSql(t: Tables, family: DetectionFamily, r: DetectionRange): string {
  const where = rangeWhere(r);
  switch (family) {
    case 'probes':
      return `WITH ${MINUTE} AS m, ${UDP_PAYLOAD} AS udp_payload
        SELECT m, sensor, kind, proto, dport, src4, src6, dst4, dst6, country, asn, count(), udp_payload
        FROM ${t.events} WHERE ${where} AND kind IN (1, 3) AND ${IS_PROBE}
        GROUP BY m, sensor, kind, proto, dport, src4, src6, dst4, dst6, country, asn, udp_payload ORDER BY m`;
    case 'backscatter':
      return backscatterSql(t, where);
    case 'payloads':
      return `WITH ${MINUTE} AS m
        SELECT m, proto, dport, payload_len, payload_hash, src4, src6, country, sensor, count()
        FROM ${t.events} WHERE ${where} AND ifNull(payload_len, 0) > 0
        GROUP BY m, proto, dport, payload_len, payload_hash, src4, src6, country, sensor ORDER BY m`;
    case 'ids':
      return `WITH ${MINUTE} AS m
        SELECT m, gid, sid, technique, proto, dport, src4, src6, country, sensor, count()
        FROM ${t.events} WHERE ${where} AND kind = 2 AND isNotNull(sid)
        GROUP BY m, gid, sid, technique, proto, dport, src4, src6, country, sensor ORDER BY m`;
    case 'sensor-volume':
      return wholeMinutes(r)
        ? `SELECT minute_ms, sensor, kind, sum(packets) FROM ${t.sensorMinute}
            WHERE ${'fromMs' in r ? where.replace(/ts_ms/g, 'minute_ms') : where} GROUP BY minute_ms, sensor, kind
            ORDER BY minute_ms, sensor, kind`
        : `WITH ${MINUTE} AS m SELECT m, sensor, kind, count() FROM ${t.events} WHERE ${where} GROUP BY m, sensor, kind ORDER BY m, sensor, kind`;
    case 'inbound':
      return inboundSql(t, where);
  }
}

/** Per sensor and IPv4 /24 of destination: firewall and darknet events (ports/destinations.ts). */
export function destinationBlocksSql(t: Tables, r: DetectionRange): string {
  return `WITH intDiv(ifNull(dst4, 0), 256) * 256 AS net
    SELECT sensor, net, min(dst4), max(dst4), ${distinct('dst4')},
      uniqExact(ifNull(toString(src4), ifNull(src6, ''))), count(), min(ts_ms), max(ts_ms)
    FROM ${t.events} WHERE ${rangeWhere(r)} AND kind IN (1, 3) AND isNotNull(dst4)
    GROUP BY sensor, net`;
}
