/**
 * `koban sensor add|list|revoke|blocks` — the sensor registry and the monitored space
 * (sensor-registry.ts); `run` and `status` —
 * the agent (sensor-agent.ts). The registry's commands open the center's stores, the agent's run
 * on a sensor host beside neither: declaring the group loads only the agent's modules, and a
 * registry command loads its own when it runs.
 */
import type { Command } from 'commander';
import { dbOption } from './_options.js';
import { registerSensorAgent } from './sensor-agent.js';
import type { AddFlags, DataFlags } from './sensor-registry.js';

const registry = () => import('./sensor-registry.js');

export function registerSensor(program: Command): void {
  const sensor = program
    .command('sensor')
    .description('register sensors, list them, revoke them; run the agent');

  sensor
    .command('add')
    .description('register a sensor and print its token (shown once)')
    .argument('<name>', 'sensor name')
    .option('--site <site>', 'where the sensor is')
    .option('--address-block <cidr...>', 'address blocks the sensor watches (coverage)')
    .option('--relay', 'the token may send events on behalf of other sensor names (replay, feeds)')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print { "name", "token" }')
    .action(async (name: string, flags: AddFlags) => (await registry()).addSensor(name, flags));

  sensor
    .command('list')
    .description('registered sensors: status, last seen, events/day, lag')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags) => (await registry()).listSensors(flags));

  sensor
    .command('revoke')
    .description('revoke a sensor token: its batches are refused from now on')
    .argument('<name>', 'sensor name')
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print the sensor as JSON')
    .action(async (name: string, flags: DataFlags) => (await registry()).revokeSensor(name, flags));

  sensor
    .command('blocks')
    .description(
      'the address blocks each sensor watches: registered, given (--blocks) or learned from its logs',
    )
    .option('--data <dir>', 'data directory')
    .addOption(dbOption())
    .option('--json', 'print one JSON document')
    .action(async (flags: DataFlags) => (await registry()).listBlocks(flags));

  registerSensorAgent(sensor);
}
