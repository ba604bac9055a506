// The VM harness's own pieces, without booting anything: mirror discovery, qemu and ssh argv, inventory.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { buildQemuArgs } from './qemu.js';
import { buildSshArgs } from './ssh-exec.js';
import { renderInventory } from './vm.js';

const run = promisify(execFile);
const findMirrorScript = fileURLToPath(new URL('./find-apt-mirror.sh', import.meta.url));
const dirs: string[] = [];

async function makeAptDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kernfleet-apt-'));
  dirs.push(dir);
  await mkdir(join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

async function findMirror(aptDir: string, suite: string): Promise<{ stdout: string; code: number }> {
  return run('bash', [findMirrorScript, aptDir, suite]).then(
    ({ stdout }) => ({ stdout: stdout.trim(), code: 0 }),
    (error: { code: number; stdout: string }) => ({ stdout: error.stdout.trim(), code: error.code }),
  );
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('find-apt-mirror.sh', () => {
  it('picks the enabled deb822 stanza of the suite, not a disabled one, deb-src, or the -security suite', async () => {
    // A Debian 12 style debian.sources: a disabled stanza first, then sources, security, and the real mirror.
    const aptDir = await makeAptDir({
      'sources.list.d/debian.sources': [
        'Types: deb', 'URIs: file:///srv/disabled/debian', 'Suites: bookworm', 'Components: main', 'Enabled: no', '',
        'Types: deb-src', 'URIs: file:///srv/sources/debian', 'Suites: bookworm', 'Components: main', '',
        'Types: deb', '# a snapshot of the mirror below', 'URIs: file:///srv/security/debian-security', 'Suites: bookworm-security', 'Components: main', '',
        'Types: deb', 'URIs: file:///srv/mirror/debian file:///srv/second/debian', 'Suites: bookworm bookworm-updates', 'Components: main',
        '',
      ].join('\n'),
    });
    expect(await findMirror(aptDir, 'bookworm')).toEqual({ stdout: 'file:///srv/mirror/debian', code: 0 });
    expect(await findMirror(aptDir, 'bookworm-security')).toEqual({ stdout: 'file:///srv/security/debian-security', code: 0 });
  });

  it('reads one-line sources with [options] before the deb822 files', async () => {
    // An older machine: sources.list with signed-by options, and a third-party .sources for another suite.
    const aptDir = await makeAptDir({
      'sources.list': '# deb file:///srv/commented/debian bookworm main\ndeb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] file:///srv/listed/debian bookworm main contrib\n',
      'sources.list.d/other.sources': 'Types: deb\nURIs: file:///srv/other/debian\nSuites: bookworm\n',
    });
    expect(await findMirror(aptDir, 'bookworm')).toEqual({ stdout: 'file:///srv/listed/debian', code: 0 });
  });

  it('fails when apt has no source for the suite', async () => {
    // Only a trixie mirror is configured: the bookworm image cannot be built from it.
    const aptDir = await makeAptDir({ 'sources.list': 'deb file:///srv/mirror/debian trixie main\n' });
    expect(await findMirror(aptDir, 'bookworm')).toEqual({ stdout: '', code: 1 });
  });
});

describe('qemu machine', () => {
  const args = buildQemuArgs({ overlayPath: '/tmp/o.qcow2', sshPort: 40022, consoleLogPath: '/tmp/console.log', memoryMiB: 2048, cpus: 2 });

  it('keeps the guest off every network but one port forwarded on loopback', () => {
    // The suite must never let the guest reach the mirror, the internet or another host's interface.
    const netdevs = args.filter((_, i) => args[i - 1] === '-netdev');
    expect(netdevs).toHaveLength(1);
    const options = netdevs[0]!.split(',');
    expect(options).toContain('restrict=on');
    expect(options.filter((o) => o.startsWith('hostfwd='))).toEqual(['hostfwd=tcp:127.0.0.1:40022-:22']);
    expect(args.some((a) => a.startsWith('-nic'))).toBe(false);
  });

  it('creates the IOMMU before the PCI devices it must translate for', () => {
    // qemu only puts devices behind intel-iommu when the IOMMU is declared first.
    const devices = args.filter((_, i) => args[i - 1] === '-device');
    expect(devices[0]).toBe('intel-iommu');
    expect(devices.slice(1).every((d) => d.startsWith('virtio-'))).toBe(true);
  });
});

describe('ssh argv', () => {
  it('is understood by OpenSSH as strict, key-only, on the forwarded port', async () => {
    // `ssh -G` prints the configuration these arguments produce without connecting anywhere.
    const target = { host: '127.0.0.1', port: 40022, user: 'root', keyPath: '/cache/id_ed25519', knownHostsPath: '/run/vm/known_hosts' };
    const { stdout } = await run('ssh', ['-G', ...buildSshArgs(target, 'uname -r', 7)]);
    const config = new Map(stdout.split('\n').map((line) => [line.split(' ')[0], line.slice(line.indexOf(' ') + 1)] as const));
    expect(config.get('port')).toBe('40022');
    expect(config.get('user')).toBe('root');
    expect(config.get('stricthostkeychecking')).toBe('true');
    expect(config.get('userknownhostsfile')).toBe('/run/vm/known_hosts');
    expect(config.get('identityfile')).toBe('/cache/id_ed25519');
    expect(config.get('batchmode')).toBe('yes');
    expect(config.get('connecttimeout')).toBe('7');
  });
});

describe('inventory', () => {
  it("loads with kernfleet's inventory loader as host debvm of group hypervisors", async () => {
    // kernfleet itself must reach the VM from nothing but the file startVm writes.
    const dir = await mkdtemp(join(tmpdir(), 'kernfleet-vm-inv-'));
    dirs.push(dir);
    const path = join(dir, 'inventory.yml');
    await writeFile(path, renderInventory({ host: '127.0.0.1', port: 40022, user: 'root', keyPath: '/cache/id_ed25519', knownHostsPath: join(dir, 'known_hosts') }));
    const { inventory } = await loadInventory(path);
    expect(inventory.groups.hypervisors?.hosts).toEqual(['debvm']);
    const host = inventory.hosts.find((h) => h.name === 'debvm');
    expect(host?.connection).toMatchObject({ kind: 'ssh', address: '127.0.0.1', port: 40022, user: 'root', identityFile: '/cache/id_ed25519' });
  });
});
