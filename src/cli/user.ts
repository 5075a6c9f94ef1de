/**
 * `koban user add EMAIL --org NAME --role ROLE [--password-stdin]`, `koban user token EMAIL
 * --scopes a,b [--expires-days N]` — people and their API tokens. A token is printed once; only its
 * hash is kept; it expires after 90 days unless `--expires-days` says otherwise. `koban user tokens
 * EMAIL`, `token-revoke ID`, `sessions-end EMAIL`, `disable EMAIL` and `enable EMAIL` take access
 * away again (each audited, effective on the next request even while `koban serve` runs).
 * `koban user notifications EMAIL [--advisories each|daily|off]` shows or sets how advisories reach
 * a user by e-mail (intel/advisories/user-mail.ts).
 */
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import {
  ADVISORY_MAIL_MODES,
  type ApiTokenInfo,
  DEFAULT_TOKEN_TTL_DAYS,
  MAX_TOKEN_TTL_DAYS,
  ROLES,
  type Role,
  SCOPES,
  type Scope,
  type User,
} from '../intel/index.js';
import { escapeForDisplay as esc } from '../mail/index.js';
import { type DataFlags, iso, operator, withIntel } from './_intel.js';
import { dbOption } from './_options.js';
import { printJson, table } from './_output.js';

interface AddFlags extends DataFlags {
  org: string;
  role: string;
  name?: string;
  passwordStdin?: boolean;
}

interface TokenFlags extends DataFlags {
  scopes: string;
  name?: string;
  expiresDays?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  // One trailing newline is the shell's, not the password's.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function userJson(u: User) {
  return {
    id: u.id,
    email: u.email,
    display_name: u.displayName,
    org_id: u.orgId,
    role: u.role,
    password: u.hasPassword,
    created: iso(u.createdMs),
    disabled: iso(u.disabledMs),
  };
}

export function registerUser(program: Command): void {
  const user = program
    .command('user')
    .description('people of member organisations and the center; API tokens');
  user
    .command('add')
    .description('add a user to an organisation')
    .argument('<email>', 'login address')
    .requiredOption('--org <name>', 'organisation name')
    .requiredOption('--role <role>', `one of: ${ROLES.join(', ')}`)
    .option('--name <display>', 'display name')
    .option('--password-stdin', 'read the password from standard input (at least 12 characters)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print the user as JSON')
    .action(async (email: string, flags: AddFlags) => {
      const password = flags.passwordStdin ? await readStdin() : undefined;
      const u = await withIntel(flags, async (intel) => {
        const org = await intel.orgs.requireByName(flags.org);
        return intel.users.add(operator(), {
          email,
          orgId: org.id,
          role: flags.role as Role,
          displayName: flags.name,
          password,
        });
      });
      if (flags.json) printJson(userJson(u));
      else
        process.stdout.write(
          `user ${u.id} ${u.email} added to "${flags.org}" as ${u.role}${u.hasPassword ? '' : ' (no password: API tokens only)'}\n`,
        );
    });
  user
    .command('token')
    .description('issue an API token for a user and print it once')
    .argument('<email>', 'the user')
    .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`)
    .option('--name <name>', 'what the token is for', 'cli')
    .option(
      '--expires-days <n>',
      `days until the token expires (1–${MAX_TOKEN_TTL_DAYS}; default ${DEFAULT_TOKEN_TTL_DAYS})`,
    )
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print { "id", "token", "scopes" }')
    .action(async (email: string, flags: TokenFlags) => {
      const scopes = flags.scopes
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      let expiresMs: number | undefined;
      if (flags.expiresDays !== undefined) {
        const days = Number(flags.expiresDays);
        if (!/^\d+$/.test(flags.expiresDays) || days < 1 || days > MAX_TOKEN_TTL_DAYS) {
          throw new KobanError(
            'E_USAGE',
            `--expires-days must be a whole number from 1 to ${MAX_TOKEN_TTL_DAYS}, not "${flags.expiresDays}"`,
          );
        }
        expiresMs = Date.now() + days * 86_400_000;
      }
      const { token, info } = await withIntel(flags, async (intel) => {
        const u = await intel.users.requireByEmail(email);
        return intel.auth.createToken(operator(), {
          userId: u.id,
          name: flags.name ?? 'cli',
          scopes: scopes as Scope[],
          expiresMs,
        });
      });
      if (flags.json) printJson({ id: info.id, token, scopes: info.scopes, expires: iso(info.expiresMs) });
      else {
        process.stdout.write(
          `API token ${info.id} for ${email} (${info.scopes.join(', ')}), expires ${iso(info.expiresMs) ?? 'never'}\n` +
            `token (shown only now; the center keeps only its hash):\n${token}\n`,
        );
      }
    });
  registerRevocation(user);
  registerNotifications(user);
}

export function tokenJson(t: ApiTokenInfo) {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes,
    created: iso(t.createdMs),
    expires: iso(t.expiresMs),
    last_used: iso(t.lastUsedMs),
    revoked: iso(t.revokedMs),
  };
}

/** Listing and taking access away: tokens, sessions, the account itself. */
function registerRevocation(user: Command): void {
  user
    .command('tokens')
    .description("list a user's API tokens (never their secrets)")
    .argument('<email>', 'the user')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (email: string, flags: DataFlags) => {
      const list = await withIntel(flags, async (intel) =>
        intel.auth.listTokens(operator(), (await intel.users.requireByEmail(email)).id),
      );
      if (flags.json) printJson({ tokens: list.map(tokenJson) });
      else if (list.length === 0) process.stdout.write(`no API tokens for ${email}\n`);
      else
        process.stdout.write(
          `${table(
            ['id', 'name', 'scopes', 'created', 'expires', 'last used', 'revoked'],
            list.map((t) => {
              const j = tokenJson(t);
              return [j.id, esc(j.name), j.scopes.join(','), j.created, j.expires, j.last_used, j.revoked];
            }),
          )}\n`,
        );
    });
  user
    .command('token-revoke')
    .description('revoke an API token at once (audited)')
    .argument('<id>', 'the token id (from `koban user tokens`)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .action(async (id: string, flags: DataFlags) => {
      await withIntel(flags, (intel) => intel.auth.revokeToken(operator(), parseId(id, 'token')));
      process.stdout.write(`API token ${id} revoked\n`);
    });
  user
    .command('sessions-end')
    .description('end every open session of a user (audited)')
    .argument('<email>', 'the user')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print { "ended": N }')
    .action(async (email: string, flags: DataFlags) => {
      const ended = await withIntel(flags, async (intel) =>
        intel.auth.endSessions(operator(), (await intel.users.requireByEmail(email)).id),
      );
      if (flags.json) printJson({ ended });
      else process.stdout.write(`${ended} session(s) of ${email} ended\n`);
    });
  for (const verb of ['disable', 'enable'] as const) {
    user
      .command(verb)
      .description(
        verb === 'disable'
          ? 'disable a user: sessions and tokens stop at once, open sessions end (audited)'
          : 'enable a disabled user again (audited)',
      )
      .argument('<email>', 'the user')
      .option('--data <dir>', 'data directory')
      .addOption(dbOption())
      .option('--json', 'print the user as JSON')
      .action(async (email: string, flags: DataFlags) => {
        const u = await withIntel(flags, async (intel) => {
          const id = (await intel.users.requireByEmail(email)).id;
          return verb === 'disable'
            ? intel.users.disable(operator(), id)
            : intel.users.enable(operator(), id);
        });
        if (flags.json) printJson(userJson(u));
        else process.stdout.write(`user ${u.id} ${u.email} ${verb}d\n`);
      });
  }
}

function parseId(s: string, what: string): number {
  if (!/^\d{1,15}$/.test(s)) throw new KobanError('E_USAGE', `${what} id must be a number, not "${s}"`);
  return Number(s);
}

/** `koban user notifications EMAIL [--advisories MODE]`: a user's advisory e-mail. */
function registerNotifications(user: Command): void {
  user
    .command('notifications')
    .description('show or set how advisories reach a user by e-mail: each, a daily digest, or off (audited)')
    .argument('<email>', 'the user')
    .option('--advisories <mode>', `set it: one of ${ADVISORY_MAIL_MODES.join(', ')}`)
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print { user, email, advisories, chosen, next_digest }')
    .action(async (email: string, flags: DataFlags & { advisories?: string }) => {
      const s = await withIntel(flags, async (intel) => {
        const id = (await intel.users.requireByEmail(email)).id;
        return flags.advisories === undefined
          ? intel.advisories.userMail.get(operator(), id)
          : intel.advisories.userMail.set(operator(), id, flags.advisories);
      });
      if (flags.json)
        printJson({
          user: s.userId,
          email: s.email,
          advisories: s.mode,
          chosen: s.chosen,
          next_digest: iso(s.nextDigestMs),
        });
      else
        process.stdout.write(
          s.chosen
            ? `${s.email}: advisories by e-mail ${s.mode === 'each' ? 'each one' : s.mode === 'daily' ? `in a daily digest (next ${iso(s.nextDigestMs)})` : 'off (inbox only)'}\n`
            : `${s.email}: not chosen (advisories naming the user by e-mail one by one; those to the organisation in the inbox only)\n`,
        );
    });
}
