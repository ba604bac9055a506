// `kernfleet gather`: one row per host, the facts an operator checks first.
import type { HostProfile } from '../model/index.js';
import { createPalette, type RenderOptions } from './colour.js';
import { countNoun } from './summary.js';

interface Cell {
  text: string;
  /** Worth a second look: kernel operations will be skipped or limited on this host. */
  notable: boolean;
}

const HEADERS = ['HOST', 'KERNEL', 'OS', 'LOADER', 'CONFIG', 'MODULES', 'CPU', 'ENV', 'SUDO'];

export function renderProfilesText(profiles: HostProfile[], options: RenderOptions): string {
  const palette = createPalette(options.color);
  const rows = profiles.map(buildProfileRow);
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]?.text.length ?? 0)));
  // Pad before painting: escape codes must not count towards the column width.
  const pad = (text: string, column: number) => (column === HEADERS.length - 1 ? text : text.padEnd(widths[column] ?? 0));
  const header = palette.bold(HEADERS.map(pad).join('  ').trimEnd());
  const body = rows.map((row) =>
    row.map((cell, column) => (cell.notable ? palette.yellow(pad(cell.text, column)) : pad(cell.text, column))).join('  ').trimEnd(),
  );
  return [header, ...body, palette.dim(`${countNoun(profiles.length, 'host')} gathered`)].join('\n') + '\n';
}

function buildProfileRow(profile: HostProfile): Cell[] {
  const { env, kernel, modules, os, boot, hardware } = profile;
  const cell = (text: string, notable = false): Cell => ({ text, notable });
  return [
    cell(profile.host),
    cell(kernel.release),
    cell(`${os.id} ${os.version}`.trim()),
    cell(boot.loader, boot.loader === 'none'),
    // No readable config means the kernel's options are unknown, and kernfleet never guesses them.
    cell(kernel.configSource ?? 'none (unknown)', kernel.configSource === null),
    cell(kernel.modulesSupported ? `${modules.loaded.length} loaded` : 'unsupported', !kernel.modulesSupported),
    cell(hardware.cpuVendor),
    cell(describeEnvironment(profile), env.container || env.wsl),
    cell(env.sudo, env.sudo === 'none' || env.sudo === 'password'),
  ];
}

function describeEnvironment({ env }: HostProfile): string {
  if (env.container) return env.containerKind ? `container (${env.containerKind})` : 'container';
  if (env.wsl) return 'wsl';
  return '-';
}
