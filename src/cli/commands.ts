/**
 * The commands of `koban`, as a table: what `koban --help` lists, and how to load the module that
 * declares a command in full (its options, subcommands and action). A command's module, and the
 * contexts behind it — DuckDB, SQLite, argon2, each a native addon — are loaded only when that
 * command runs or shows its own help, so `koban --version`, `koban --help` and the sensor agent
 * start without them (bench/cli-startup.mjs). `commands.test.ts` checks each line against the
 * command its module declares.
 */
import type { Command } from 'commander';

/** Declares one top-level command (with its subcommands) on the program. */
export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  readonly name: string;
  /** The command as `koban --help` lists it: name, `[options]` when it has any, arguments. */
  readonly term: string;
  readonly summary: string;
  /** Left out of `koban --help` (a deprecated name that still answers). */
  readonly hidden?: boolean;
  readonly load: () => Promise<RegisterCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'import',
    term: 'import [options] <files...>',
    summary: 'import firewall logs, IDS alerts or packet captures (gzip is read transparently)',
    load: async () => (await import('./import.js')).registerImport,
  },
  {
    name: 'stats',
    term: 'stats [options] <view>',
    summary:
      'observation views: total, sensor-rate, countries, techniques, worm-countries, ports, port-series, neighbours, sources',
    load: async () => (await import('./stats.js')).registerStats,
  },
  {
    name: 'serve',
    term: 'serve [options]',
    summary: 'run the center: sensor ingest API, observation views, metrics, the public site',
    load: async () => (await import('./serve.js')).registerServe,
  },
  {
    name: 'sensor',
    term: 'sensor',
    summary: 'register sensors, list them, revoke them; run the agent',
    load: async () => (await import('./sensor.js')).registerSensor,
  },
  {
    name: 'alerts',
    term: 'alerts [options]',
    summary: 'operator alerts (sensor health, detectors); ack and close them',
    load: async () => (await import('./alerts.js')).registerAlerts,
  },
  {
    name: 'scanners',
    term: 'scanners [options]',
    summary:
      'every scanner found, alert or not, broadest first: ports, reach, first/last seen, country, AS, tags',
    load: async () => (await import('./scanners.js')).registerScanners,
  },
  {
    name: 'backscatter',
    term: 'backscatter [options]',
    summary:
      'DDoS victims below the alerting rate, kept as statistics: rate, addresses hit, ports, first/last seen',
    load: async () => (await import('./backscatter.js')).registerBackscatter,
  },
  {
    name: 'detect',
    term: 'detect [options]',
    summary: 'run the detectors over stored history (alerts), or score them on a simulated set (--eval)',
    load: async () => (await import('./detect.js')).registerDetect,
  },
  {
    name: 'operator-token',
    term: 'operator-token [options]',
    summary: 'create a new operator token for the center API (shown once; replaces the previous one)',
    load: async () => (await import('./operator-token.js')).registerOperatorToken,
  },
  {
    name: 'email',
    term: 'email',
    summary: 'reported e-mails: offline extraction',
    load: async () => (await import('./email.js')).registerEmail,
  },
  {
    name: 'simulate',
    term: 'simulate [options]',
    summary: 'generate SIMULATED firewall, IDS and darknet data with ground truth (truth.json)',
    load: async () => (await import('./simulate.js')).registerSimulate,
  },
  {
    name: 'replay',
    term: 'replay [options] <dir>',
    summary: 'send a simulated set (koban simulate) to a center in time order, paced',
    load: async () => (await import('./replay.js')).registerReplay,
  },
  {
    name: 'org',
    term: 'org',
    summary: 'organisations of the sharing network (center, members, partners)',
    load: async () => (await import('./org.js')).registerOrg,
  },
  {
    name: 'user',
    term: 'user',
    summary: 'people of member organisations and the center; API tokens',
    load: async () => (await import('./user.js')).registerUser,
  },
  {
    name: 'report',
    term: 'report',
    summary: 'member reports: submit (bootstrap, tests), show, add analysis',
    load: async () => (await import('./report.js')).registerReport,
  },
  {
    name: 'intel',
    term: 'intel',
    summary: 'the information-sharing network',
    load: async () => (await import('./intel-stats.js')).registerIntelStats,
  },
  {
    name: 'feeds',
    term: 'feeds',
    summary:
      'TAXII 2.1 collections of other servers: subscribe, list; federation peers: peers, pull; TAXII reads',
    load: async () => (await import('./feeds.js')).registerFeeds,
  },
  {
    name: 'warninglist',
    term: 'warninglist',
    summary: 'values that must never correlate (configured entries)',
    load: async () => (await import('./warninglist.js')).registerWarningList,
  },
  {
    name: 'audit',
    term: 'audit',
    summary: 'the hash-chained audit log',
    load: async () => (await import('./audit.js')).registerAudit,
  },
  {
    name: 'advisory',
    term: 'advisory',
    summary: 'advisories to members (注意喚起): draft, preview, send, answers',
    load: async () => (await import('./advisory/index.js')).registerAdvisory,
  },
  {
    name: 'member-alert',
    term: 'member-alert',
    summary: 'deprecated: the former name of `koban advisory`',
    hidden: true,
    load: async () => (await import('./advisory/index.js')).registerFormerAdvisory,
  },
  {
    name: 'anonymizer',
    term: 'anonymizer',
    summary: 'the anonymizer database: Tor exits, proxies, VPN exits',
    load: async () => (await import('./anonymizer.js')).registerAnonymizer,
  },
  {
    name: 'dnsbl',
    term: 'dnsbl',
    summary: 'the anonymizer database as a DNSBL (RFC 5782)',
    load: async () => (await import('./anonymizer.js')).registerDnsbl,
  },
  {
    name: 'recorder',
    term: 'recorder',
    summary: "the activity recorder: this machine's processes and connections as a sealed hash chain",
    load: async () => (await import('./recorder.js')).registerRecorder,
  },
  {
    name: 'declassify',
    term: 'declassify',
    summary: "publish a member's report below its label: request, then consent or a second admin's approval",
    load: async () => (await import('./declassify.js')).registerDeclassify,
  },
  {
    name: 'publish',
    term: 'publish [options] <kind>',
    summary: 'write a periodic report (monthly, semiannual, annual) as HTML or PDF',
    load: async () => (await import('./publish.js')).registerPublish,
  },
];
