// Command line of the simulated fleet, for benchmarks and manual runs:
//   npm run fleet -- up 50 [--dir DIR] [--variants debian12,rhel9,...]   prints the inventory path, stays up
//   npm run fleet -- down [--dir DIR]                                      stops a fleet started by `up`
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { startFleet, stopFleetState, STATE_FILE, VARIANTS, type FleetState, type Variant } from './fleet.js';

const DEFAULT_DIR = '/dev/shm/kernfleet-fleet-cli';
const OWNER_FILE = 'up.pid';

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 2000) throw new InvalidArgumentError('a host count from 1 to 2000');
  return count;
}

function parseVariants(value: string): Variant[] {
  const list = value.split(',').map((v) => v.trim());
  for (const v of list) {
    if (!(VARIANTS as readonly string[]).includes(v)) throw new InvalidArgumentError(`unknown variant ${v} (known: ${VARIANTS.join(', ')})`);
  }
  return list as Variant[];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function up(count: number, opts: { dir: string; variants: Variant[] }): Promise<void> {
  if (existsSync(join(opts.dir, STATE_FILE))) {
    throw new Error(`a fleet already runs in ${opts.dir}: npm run fleet -- down --dir ${opts.dir}`);
  }
  const started = Date.now();
  const fleet = await startFleet({
    baseDir: opts.dir,
    hosts: Array.from({ length: count }, (_, i) => {
      const variant = opts.variants[i % opts.variants.length]!;
      return { name: `${variant.replaceAll('_', '-')}-${String(i + 1).padStart(String(count).length, '0')}`, variant };
    }),
  });
  writeFileSync(join(opts.dir, OWNER_FILE), String(process.pid));
  process.stderr.write(`fleet: ${count} hosts up in ${((Date.now() - started) / 1000).toFixed(1)} s; ssh -F ${fleet.sshConfigPath} <host>\n`);
  process.stdout.write(`${fleet.inventoryPath}\n`);
  // fleet.ts stops the fleet on SIGINT/SIGTERM; until then, stay up.
  setInterval(() => undefined, 1 << 30);
}

async function down(opts: { dir: string }): Promise<void> {
  const ownerFile = join(opts.dir, OWNER_FILE);
  const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : null;
  if (owner && isAlive(owner)) {
    process.kill(owner, 'SIGTERM');
    for (let i = 0; i < 100 && isAlive(owner); i++) await new Promise((r) => setTimeout(r, 100));
  }
  const stateFile = join(opts.dir, STATE_FILE);
  if (existsSync(stateFile)) await stopFleetState(JSON.parse(readFileSync(stateFile, 'utf8')) as FleetState);
  rmSync(opts.dir, { recursive: true, force: true });
  process.stderr.write(`fleet: ${opts.dir} is down\n`);
}

const program = new Command('fleet').description('the simulated hypervisor fleet of kernfleet\'s tests');
program
  .command('up')
  .argument('<count>', 'number of hosts', parseCount)
  .option('--dir <dir>', 'run directory', DEFAULT_DIR)
  .option('--variants <list>', `comma-separated variants, assigned round-robin (${VARIANTS.join(', ')})`, parseVariants, ['debian12'] as Variant[])
  .action(up);
program.command('down').option('--dir <dir>', 'run directory', DEFAULT_DIR).action(down);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`fleet: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
