/**
 * The simulated sensor fleet. SIMULATED: names, address blocks and MAC addresses are made up; the
 * blocks lie in real Japanese allocations (so sources near them enrich as Japanese, as the annual report §2.1.1, docs/background.md#observation
 * explains), but no real sensor sits there.
 *
 * Split: every fourth sensor (index 3, 7, 11, …) is a darknet sensor watching an unused /24 and
 * writing a packet capture; the others are firewall+IDS sites (the annual report §2, docs/background.md#observation: a firewall that logs
 * every unsolicited access and never answers, and an IDS beside it) watching a /28 and writing a
 * netfilter log and Suricata EVE alerts. With the default 57 sensors that is 43 firewall+IDS sites and
 * 14 darknet sensors.
 */
import { cidrToString, ipv4ToString, parseCidr } from '../core/index.js';
import { DOMESTIC_COUNTRY, nearPrefixes, SENSOR_SLASH8S } from './country-space.js';
import { hash3, hashFloat, labelId } from './prng.js';

export const SITE_KINDS = ['firewall-ids', 'darknet'] as const;
/** A firewall+IDS site (iptables log and EVE alerts) or a darknet sensor (pcap). */
export type SiteKind = (typeof SITE_KINDS)[number];

export interface SimSensor {
  readonly index: number;
  /** Sensor name; also the syslog host and the EVE `host`. */
  readonly name: string;
  readonly site: SiteKind;
  /** Network address of the monitored block (IPv4 as an unsigned 32-bit number). */
  readonly base: number;
  readonly prefix: number;
  /** Addresses monitored. */
  readonly size: number;
  readonly cidr: string;
  /** The sensor interface's MAC (locally administered) and the upstream router's. */
  readonly mac: readonly number[];
  readonly gatewayMac: readonly number[];
  /** Traffic level relative to the fleet mean (mean 1 over the fleet). */
  readonly activity: number;
}

export interface FleetOptions {
  /** Number of sensors (default 57, the annual report §2, docs/background.md#observation). */
  readonly count: number;
  /** Every `darknetEvery`-th sensor is a darknet sensor (default 4); 0 means none. */
  readonly darknetEvery: number;
  /** Prefix length of a firewall+IDS site's block (default 28: 16 addresses). */
  readonly firewallPrefix: number;
  /** Prefix length of a darknet sensor's block (default 24: 256 addresses). */
  readonly darknetPrefix: number;
}

export const DEFAULT_FLEET: FleetOptions = {
  count: 57,
  darknetEvery: 4,
  firewallPrefix: 28,
  darknetPrefix: 24,
};

/** Site names: the 47 prefectures, then regional bureaus and second sites (57 in all). */
const PLACES = [
  'hokkaido',
  'aomori',
  'iwate',
  'miyagi',
  'akita',
  'yamagata',
  'fukushima',
  'ibaraki',
  'tochigi',
  'gunma',
  'saitama',
  'chiba',
  'tokyo',
  'kanagawa',
  'niigata',
  'toyama',
  'ishikawa',
  'fukui',
  'yamanashi',
  'nagano',
  'gifu',
  'shizuoka',
  'aichi',
  'mie',
  'shiga',
  'kyoto',
  'osaka',
  'hyogo',
  'nara',
  'wakayama',
  'tottori',
  'shimane',
  'okayama',
  'hiroshima',
  'yamaguchi',
  'tokushima',
  'kagawa',
  'ehime',
  'kochi',
  'fukuoka',
  'saga',
  'nagasaki',
  'kumamoto',
  'oita',
  'miyazaki',
  'kagoshima',
  'okinawa',
  'tohoku-rb',
  'kanto-rb',
  'chubu-rb',
  'kinki-rb',
  'chugoku-rb',
  'shikoku-rb',
  'kyushu-rb',
  'hq',
  'tokyo2',
  'osaka2',
];

function sensorName(i: number, site: SiteKind): string {
  const place = PLACES[i % PLACES.length]!;
  const round = Math.floor(i / PLACES.length);
  return `${site === 'darknet' ? 'dn' : 'fw'}-${place}${round > 0 ? `-${round + 1}` : ''}`;
}

/** Builds the fleet for a root seed: names, kinds, blocks, MACs and activity levels. */
export function buildFleet(seed: number, options: FleetOptions = DEFAULT_FLEET): SimSensor[] {
  const jp = nearPrefixes(DOMESTIC_COUNTRY);
  const jpBy8 = new Map<number, number[]>();
  for (const p of jp) {
    const o = p >>> 8;
    const l = jpBy8.get(o);
    if (l) l.push(p);
    else jpBy8.set(o, [p]);
  }
  const slash8s = SENSOR_SLASH8S.filter((o) => (jpBy8.get(o)?.length ?? 0) > 0);
  const used = new Set<number>(); // /24s taken
  const raw: Omit<SimSensor, 'activity'>[] = [];
  const salt = labelId('fleet');
  for (let i = 0; i < options.count; i++) {
    const site: SiteKind =
      options.darknetEvery > 0 && i % options.darknetEvery === options.darknetEvery - 1
        ? 'darknet'
        : 'firewall-ids';
    const prefix = site === 'darknet' ? options.darknetPrefix : options.firewallPrefix;
    const size = 2 ** (32 - prefix);
    let base = -1;
    for (let attempt = 0; base < 0; attempt++) {
      const h = hash3(seed, salt ^ i, attempt);
      const octet = slash8s[(i + (attempt >> 4)) % slash8s.length]!;
      const cands = jpBy8.get(octet)!;
      const p16 = cands[h % cands.length]!;
      const blocks = Math.max(1, 65536 / size);
      const b = ((p16 << 16) + (hash3(seed, salt, h) % blocks) * size) >>> 0;
      const first24 = b >>> 8;
      const last24 = (b + size - 1) >>> 8;
      let free = true;
      for (let x = first24; x <= last24; x++) if (used.has(x)) free = false;
      // Keep clear of .0/24 and .255/24 of a /16: they look like network/broadcast ranges.
      const third = (b >>> 8) & 255;
      if (free && third !== 0 && third !== 255) {
        for (let x = first24; x <= last24; x++) used.add(x);
        base = b;
      }
      if (attempt > 10_000) throw new Error('cannot place sensor blocks');
    }
    const cidr = parseCidr(`${ipv4ToString(base)}/${prefix}`);
    const hm = hash3(seed, salt ^ 0x3ac, i);
    const hg = hash3(seed, salt ^ 0x6a7e, i);
    raw.push({
      index: i,
      name: sensorName(i, site),
      site,
      base,
      prefix,
      size,
      cidr: cidr ? cidrToString(cidr) : `${ipv4ToString(base)}/${prefix}`,
      mac: [0x02, 0x4b, (hm >>> 16) & 255, (hm >>> 8) & 255, hm & 255, i & 255],
      gatewayMac: [0x02, 0x00, (hg >>> 16) & 255, (hg >>> 8) & 255, hg & 255, 0x01],
    });
  }
  // Activity: uniform 0.6–1.4 around the fleet mean, normalised so the mean is exactly 1.
  const act = raw.map((s) => 0.6 + 0.8 * hashFloat(hash3(seed, salt ^ 0xac7, s.index)));
  const mean = act.reduce((a, b) => a + b, 0) / Math.max(1, act.length);
  return raw.map((s, i) => ({ ...s, activity: act[i]! / mean }));
}

/** Total IPv4 addresses the fleet monitors. */
export function monitoredAddresses(fleet: readonly SimSensor[]): number {
  let n = 0;
  for (const s of fleet) n += s.size;
  return n;
}
