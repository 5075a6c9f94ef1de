/**
 * Worker-thread entry: rebuilds the run from the resolved options (deterministically, as the main
 * thread did), generates its share of the sensors and posts the results back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildRun, generateSensors } from './generate.js';
import type { ResolvedOptions } from './options.js';

/** What the main thread sends a worker. */
export interface WorkerInput {
  readonly options: ResolvedOptions;
  readonly sensors: readonly number[];
}

/** Messages a worker posts. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly sensorHours: number; readonly events: number }
  | { readonly type: 'done'; readonly result: ReturnType<typeof generateSensors> };

if (parentPort) {
  const port = parentPort;
  const input = workerData as WorkerInput;
  const run = buildRun(input.options);
  let hours = 0;
  let events = 0;
  const result = generateSensors(run, input.sensors, (h, e) => {
    hours += h;
    events += e;
    if (hours >= 24) {
      port.postMessage({ type: 'progress', sensorHours: hours, events } satisfies WorkerMessage);
      hours = 0;
      events = 0;
    }
  });
  if (hours > 0) port.postMessage({ type: 'progress', sensorHours: hours, events } satisfies WorkerMessage);
  port.postMessage({ type: 'done', result } satisfies WorkerMessage);
}
