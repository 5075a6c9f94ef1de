/**
 * `koban user add EMAIL --org NAME --role ROLE [--password-stdin]`, `koban user token EMAIL
 * --scopes a,b` — people and their API tokens. A token is printed once; only its hash is kept.
 */
import type { Command } from 'commander';
import { KobanError } from '../core/index.js';
import { ROLES, type Role, SCOPES, type Scope, type User } from '../intel/index.js';
import { type DataFlags, iso, operator, withIntel } from './_intel.js';
import { printJson } from './_output.js';

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
    .option('--expires-days <n>', 'days until the token expires (default: never)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print { "id", "token", "scopes" }')
    .action(async (email: string, flags: TokenFlags) => {
      const scopes = flags.scopes
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      let expiresMs: number | undefined;
      if (flags.expiresDays !== undefined) {
        if (!/^\d+$/.test(flags.expiresDays) || Number(flags.expiresDays) < 1) {
          throw new KobanError(
            'E_USAGE',
            `--expires-days must be a positive whole number, not "${flags.expiresDays}"`,
          );
        }
        expiresMs = Date.now() + Number(flags.expiresDays) * 86_400_000;
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
          `API token ${info.id} for ${email} (${info.scopes.join(', ')})\n` +
            `token (shown only now; the center keeps only its hash):\n${token}\n`,
        );
      }
    });
}
