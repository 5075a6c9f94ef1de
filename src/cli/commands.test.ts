// The command table (commands.ts) against the commands its modules declare, and `--db` on every
// command that takes a data directory.
import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands.js';
import { buildFullProgram, buildProgram, commandNamed } from './program.js';

/** Every command, by its path (`sensor run`), with its subcommands in turn. */
function walk(cmd: Command, prefix = ''): { path: string; cmd: Command }[] {
  return cmd.commands.flatMap((c) => {
    const path = `${prefix}${c.name()}`;
    return [{ path, cmd: c }, ...walk(c, `${path} `)];
  });
}

const longFlags = (c: Command) => c.options.map((o) => o.long);

describe('the command table', () => {
  it.each(COMMANDS.map((e) => [e.name, e] as const))(
    '%s: lists the name, arguments and summary its module declares',
    async (name, entry) => {
      const program = new Command('koban');
      (await entry.load())(program);
      expect(program.commands.map((c) => c.name())).toEqual([name]);
      const real = program.commands[0]!;
      expect(entry.term).toBe(new Help().subcommandTerm(real));
      expect(entry.summary).toBe(real.description());
    },
  );

  it('gives `koban --help` the same text as the program with every command loaded', async () => {
    const full = (await buildFullProgram()).helpInformation();
    expect((await buildProgram(['--help'])).helpInformation()).toBe(full);
    expect(full).toContain('  stats [options] <view>  ');
    expect(full).toContain('  declassify  ');
  });

  it('declares in full only the command being run', async () => {
    const program = await buildProgram(['sensor', 'run', '--help']);
    const sensor = program.commands.find((c) => c.name() === 'sensor')!;
    expect(sensor.commands.map((c) => c.name())).toEqual([
      'add',
      'list',
      'revoke',
      'blocks',
      'run',
      'status',
    ]);
    const stats = program.commands.find((c) => c.name() === 'stats')!;
    expect(stats.options).toEqual([]);
    expect(stats.commands).toEqual([]);
  });

  it('finds the command in argv, also behind `help`', () => {
    expect(commandNamed(['stats', 'total', '--data', 'x'])).toBe('stats');
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed(['--version'])).toBeUndefined();
    expect(commandNamed(['help', 'sensor'])).toBe('sensor');
    expect(commandNamed(['help'])).toBeUndefined();
  });
});

/** Commands that work on no data directory: they take neither `--data` nor `--db`. */
const NO_DATA_DIRECTORY = [
  'email parse',
  'recorder run',
  'recorder verify',
  'replay',
  'sensor run',
  'sensor status',
  'simulate',
];

describe('--db', () => {
  it('is taken by every command that takes a data directory, and only those lack it', async () => {
    const runnable = walk(await buildFullProgram()).filter(
      ({ cmd }) => cmd.commands.length === 0 || cmd.options.length > 0,
    );
    expect(runnable.length).toBeGreaterThan(50);
    const without = runnable.filter(({ cmd }) => !longFlags(cmd).includes('--db'));
    expect(without.map((c) => c.path).sort()).toEqual(NO_DATA_DIRECTORY);
    // So every command that takes --data takes --db.
    for (const { cmd } of without) expect(longFlags(cmd)).not.toContain('--data');
  });
});
