/**
 * The one place values become ClickHouse SQL text. ClickHouse 18.16 (Debian's) has no server-side
 * query parameters (`{name:Type}` arrived in 19.x), so every value a statement carries is written
 * as a literal here: strings quoted and escaped, numbers checked to be what their column holds,
 * identifiers checked against a strict pattern. Nothing else in the adapter builds SQL from a value.
 *
 * String literals: ClickHouse reads a backslash escape in a quoted string (`\\`, `\'`, `\n`, `\0`,
 * `\xHH`), so a value is written byte for byte as `\xHH` for everything outside a safe set — the
 * quote and the backslash can never end the literal, whatever the input holds (NUL, newlines,
 * multi-byte UTF-8, lone surrogates replaced by U+FFFD as UTF-8 encoding does).
 */
import { KobanError } from '../../core/index.js';

const SAFE = /^[A-Za-z0-9 _.:,;/@+=*#%&()[\]{}<>?!~^|$-]$/;
const encoder = new TextEncoder();

/** A quoted string literal. */
export function str(value: string): string {
  if (typeof value !== 'string') throw new KobanError('E_USAGE', 'a SQL string must be a string');
  let out = "'";
  for (const ch of value) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of encoder.encode(ch)) out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

/** A nullable string literal. */
export function optStr(value: string | null | undefined): string {
  return value === null || value === undefined ? 'NULL' : str(value);
}

/**
 * An integer literal within [min, max]: types are erased at runtime, so a caller passing unchecked
 * input gets E_USAGE here, never a malformed statement.
 */
export function int(
  what: string,
  value: unknown,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): string {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new KobanError(
      'E_USAGE',
      `invalid ${what}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
    );
  }
  return String(value);
}

/** A time in ms (the range `Date` accepts). */
export function timeMs(what: string, value: unknown): string {
  return int(what, value, -8.64e15, 8.64e15);
}

/** An IPv4 address as its 32-bit number literal. */
export function ipv4(value: unknown): string {
  return int('IPv4 address', value, 0, 0xffffffff);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A database, table or cluster name, written unquoted: only letters, digits and `_` (names come
 * from the `events` URL, which an operator writes; anything else is refused, not escaped).
 */
export function identifier(what: string, name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new KobanError('E_CONFIG', `invalid ClickHouse ${what} name (letters, digits and _ only)`);
  }
  return name;
}

/** A list of literals for `IN (…)`; never empty (an empty `IN ()` is a syntax error). */
export function list(literals: readonly string[]): string {
  if (literals.length === 0) throw new KobanError('E_INTERNAL', 'empty SQL list');
  return `(${literals.join(', ')})`;
}
