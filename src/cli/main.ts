#!/usr/bin/env node
/** The `koban` command: thin wrappers that parse flags, call a context and print. */
import { Command, CommanderError } from 'commander';
import { isKobanError } from '../core/index.js';
import { registerAdvisory } from './advisory/index.js';
import { registerAlerts } from './alerts.js';
import { registerAudit } from './audit.js';
import { registerDeclassify } from './declassify.js';
import { registerDetect } from './detect.js';
import { registerEmail } from './email.js';
import { registerImport } from './import.js';
import { registerIntelStats } from './intel-stats.js';
import { registerOperatorToken } from './operator-token.js';
import { registerOrg } from './org.js';
import { registerReplay } from './replay.js';
import { registerReport } from './report.js';
import { registerSensor } from './sensor.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerStats } from './stats.js';
import { registerUser } from './user.js';
import { registerWarningList } from './warninglist.js';

export function buildProgram(): Command {
  const program = new Command('koban')
    .description('Koban: cyber-threat observation and information-sharing center')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerImport(program);
  registerStats(program);
  registerServe(program);
  registerSensor(program);
  registerAlerts(program);
  registerDetect(program);
  registerOperatorToken(program);
  registerEmail(program);
  registerSimulate(program);
  registerReplay(program);
  registerOrg(program);
  registerUser(program);
  registerReport(program);
  registerIntelStats(program);
  registerWarningList(program);
  registerAudit(program);
  registerAdvisory(program);
  registerDeclassify(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isKobanError(e)) {
      process.stderr.write(`koban: ${e.message}\n`);
      return e.exitStatus;
    }
    process.stderr.write(`koban: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
