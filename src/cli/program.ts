/**
 * The `koban` program: the root command with every command of the table (commands.ts), the one
 * being run declared in full; and `main`, which runs it and turns errors into exit statuses.
 */
import { Command, CommanderError, Help } from 'commander';
import { COMMANDS, type CommandEntry } from './commands.js';

function rootProgram(): Command {
  return new Command('koban')
    .description('Koban: cyber-threat observation and information-sharing center')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
}

/** The command `argv` runs, or asks help for (`koban help CMD`); undefined for `--help`, `--version`. */
export function commandNamed(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The program for one run: the command `argv` names declared in full, every other one as a stub
 * with its name and summary, enough for `koban --help` and for commander's "did you mean …?".
 */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = rootProgram();
  const wanted = commandNamed(argv);
  const stubTerms = new WeakMap<Command, string>();
  const help = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => stubTerms.get(cmd) ?? help.subcommandTerm(cmd) });
  for (const entry of COMMANDS) {
    if (entry.name === wanted) (await entry.load())(program);
    else stubTerms.set(declareStub(program, entry), entry.term);
  }
  return program;
}

function declareStub(program: Command, entry: CommandEntry): Command {
  return program.command(entry.name).description(entry.summary);
}

/** Every command declared in full (tests walk it; so could generated documentation). */
export async function buildFullProgram(): Promise<Command> {
  const program = rootProgram();
  for (const entry of COMMANDS) (await entry.load())(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv as string[], { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    // Loaded here, not above: `koban --version` and `koban --help` load no context (nor zod).
    const { isKobanError } = await import('../core/index.js');
    if (isKobanError(e)) {
      process.stderr.write(`koban: ${e.message}\n`);
      return e.exitStatus;
    }
    process.stderr.write(`koban: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}
