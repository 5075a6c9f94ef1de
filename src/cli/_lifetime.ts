/**
 * How a long-running command (the sensor agent) learns that it should stop: SIGTERM or SIGINT —
 * and, when npm started it (`npx koban …`, `npm run …`), the end of the shell npm started it in.
 * npm runs a bin as `npm exec` → `sh -c …` → node and passes SIGTERM only to its own child, the
 * shell, which dies without passing it on (dash does not exec its last command here): `kill`
 * or `docker stop` on npm left the agent running with no parent. Under npm, the process that
 * started us going away is therefore a stop request too. Outside npm it is not, so `nohup koban
 * sensor run … &` keeps running after its shell exits.
 */

export interface StopWatch {
  /** Removes the handlers; a second signal after the first falls to the default action (exit). */
  dispose(): void;
}

export function onStopRequest(
  stop: (why: string) => void,
  options: { readonly env?: NodeJS.ProcessEnv; readonly parentPollMs?: number } = {},
): StopWatch {
  let fired = false;
  const fire = (why: string) => {
    if (fired) return;
    fired = true;
    dispose();
    stop(why);
  };
  const onTerm = () => fire('SIGTERM');
  const onInt = () => fire('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  let parentWatch: NodeJS.Timeout | null = null;
  const env = options.env ?? process.env;
  if (env.npm_lifecycle_event) {
    const parent = process.ppid;
    parentWatch = setInterval(() => {
      if (process.ppid !== parent) fire(`the shell npm started it in (pid ${parent}) has ended`);
    }, options.parentPollMs ?? 500);
    parentWatch.unref();
  }
  function dispose(): void {
    process.removeListener('SIGTERM', onTerm);
    process.removeListener('SIGINT', onInt);
    if (parentWatch) clearInterval(parentWatch);
  }
  return { dispose };
}
