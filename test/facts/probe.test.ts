import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProbe, parseProbe, ProbeParseError } from '../../src/facts/probe.js';
import type { ProbeRequest } from '../../src/facts/request.js';
import type { HostProfile } from '../../src/model/index.js';
import { LOCAL_REQUEST } from './local-request.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/facts/local/firecracker-6.18.json', import.meta.url), 'utf8')) as { request: ProbeRequest; output: string; profile: HostProfile };
const schema = JSON.parse(readFileSync(new URL('../../schemas/profile.schema.json', import.meta.url), 'utf8')) as object;
const validateProfile = new Ajv({ allErrors: true, strict: false }).compile(schema);
const AT = '2026-11-23T14:00:00.000Z';

function runProbe(argv: string[], request: ProbeRequest = LOCAL_REQUEST, env?: NodeJS.ProcessEnv): string {
  return execFileSync(argv[0] ?? 'sh', [...argv.slice(1), '-s'], { input: buildProbe(request), encoding: 'utf8', ...(env ? { env } : {}) });
}

describe('the captured probe of this Firecracker VM (kernel 6.18, /proc/config.gz, CONFIG_MODULES unset)', () => {
  const profile = parseProbe('local', fixture.output, AT);

  it('parses to the reviewed profile, valid against the schema', () => {
    // The stored capture: {request, output, profile}, re-parsed by today's parser.
    expect(profile).toEqual(fixture.profile);
    expect(validateProfile(profile), JSON.stringify(validateProfile.errors)).toBe(true);
  });

  it('reads the kernel config from /proc/config.gz and knows modules cannot load', () => {
    // No /boot/config-<release> and no /proc/modules on this kernel.
    expect(profile.kernel.release).toBe('6.18.44-fc-v782');
    expect(profile.kernel.configSource).toBe('/proc/config.gz');
    expect(profile.kernel.modulesSupported).toBe(false);
    expect(profile.kernel.config).toMatchObject({ CONFIG_MODULES: 'n', CONFIG_KVM: 'y', CONFIG_BRIDGE: 'y', CONFIG_VFIO: 'n', CONFIG_VFIO_PCI: null, CONFIG_HZ: '250', CONFIG_LOCALVERSION: '-fc-v782', CONFIG_NOT_A_SYMBOL: null });
    expect(profile.modules.loaded).toEqual([]);
    expect(Object.values(profile.modules.available)).toEqual([false, false, false, false, false, false]);
  });

  it('reports the environment and the missing items as facts', () => {
    // Root on a Debian 12 root file system built from a docker image (a leftover /.dockerenv on an ext4
    // root: a VM, not a container); no boot loader files; one asked sysctl key does not exist.
    expect(profile.os).toEqual({ id: 'debian', family: 'debian', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    expect(profile.env).toMatchObject({ root: true, sudo: 'root', user: 'root', container: false, containerKind: null, wsl: false });
    expect(fixture.output).toContain('marker docker');
    expect(profile.boot.loader).toBe('none');
    expect(profile.boot.procCmdline).toContain('console=ttyS0');
    expect(profile.sysctl.live['net.no_such.key']).toBeNull();
    expect(profile.sysctl.live['vm.swappiness']).toMatch(/^\d+$/);
    expect(profile.modules.params['printk.time']).toMatch(/^[YN]$/);
    expect(profile.modules.params['kvm_amd.nested']).toBeNull();
    expect(profile.sysctl.files.map((f) => f.path)).toContain('/etc/sysctl.conf');
    expect(profile.kernfleet.ledger).toBeNull();
  });

  it('fingerprints the whole output, nothing else', () => {
    // The same output gathered at two times, and an output differing in one byte.
    expect(profile.fingerprint).toBe(`sha256:${createHash('sha256').update(fixture.output).digest('hex')}`);
    expect(parseProbe('other', fixture.output, '2030-01-01T00:00:00.000Z').fingerprint).toBe(profile.fingerprint);
    expect(parseProbe('local', fixture.output.replace('release 6.18.44', 'release 6.18.45'), AT).fingerprint).not.toBe(profile.fingerprint);
  });

  it('names the section when the output is cut short', () => {
    // The connection dropped in the middle of the sysctl files.
    const cut = fixture.output.slice(0, fixture.output.indexOf('@@kf:section sysctl-files') + 40);
    expect(() => parseProbe('local', cut, AT)).toThrow(ProbeParseError);
    expect(() => parseProbe('local', cut, AT)).toThrow(/section sysctl-files/);
  });
});

describe('the probe run live on this machine', () => {
  const profiles = Object.fromEntries([['bash'], ['dash'], ['busybox', 'sh']].map((shell) => [shell.join(' '), parseProbe('local', runProbe(shell), AT)]));

  it('parses to the same profile under bash, dash and busybox sh', () => {
    // One script, three shells, one host: nothing may depend on the shell, not even the fingerprint.
    expect(profiles['dash']).toEqual(profiles['bash']);
    expect(profiles['busybox sh']).toEqual(profiles['bash']);
  });

  it('reports what the host itself says', () => {
    // Values checked against the kernel directly, not through the probe.
    const profile = profiles['dash'] as HostProfile;
    expect(validateProfile(profile), JSON.stringify(validateProfile.errors)).toBe(true);
    expect(profile.kernel.release).toBe(release());
    expect(profile.boot.procCmdline).toBe(readFileSync('/proc/cmdline', 'utf8').trim());
    expect(profile.boot.bootId).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(profile.sysctl.live['vm.swappiness']).toBe(readFileSync('/proc/sys/vm/swappiness', 'utf8').trim());
  });

  it('asks only for what the request names', () => {
    // An empty request still reports environment and layers, but no symbols beyond CONFIG_MODULES.
    const profile = parseProbe('local', runProbe(['sh'], { configSymbols: [], modules: [], params: [], sysctlKeys: [] }), AT);
    expect(Object.keys(profile.kernel.config)).toEqual(['CONFIG_MODULES']);
    expect(profile.sysctl.live).toEqual({});
    expect(profile.modules.available).toEqual({});
  });
});

describe('the probe with nothing but busybox', () => {
  let bin = '';
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'kf-busybox-'));
    execFileSync('busybox', ['--install', '-s', bin]);
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('needs no tool beyond busybox applets', () => {
    // PATH holds only busybox's applets: no coreutils, grep, sed, gzip, base64 or systemd-detect-virt of the
    // distribution. The output differs (detect-virt is gone), the facts must not.
    const output = runProbe([join(bin, 'sh')], LOCAL_REQUEST, { PATH: bin });
    expect(output).not.toContain('detect-virt');
    const { fingerprint: _busybox, ...viaBusybox } = parseProbe('local', output, AT);
    const { fingerprint: _full, ...viaFull } = parseProbe('local', runProbe(['dash']), AT);
    expect(viaBusybox).toEqual(viaFull);
  });

  it('falls back to od hex when base64 is missing', () => {
    // The same PATH without a base64 applet, under dash (busybox sh would still find its built-in applet).
    unlinkSync(join(bin, 'base64'));
    const output = runProbe(['/usr/bin/dash'], LOCAL_REQUEST, { PATH: bin });
    expect(output).toContain('encoding hex');
    const { fingerprint: _hex, ...viaHex } = parseProbe('local', output, AT);
    const { fingerprint: _b64, ...viaBase64 } = parseProbe('local', runProbe(['dash']), AT);
    expect(viaHex).toEqual(viaBase64);
  });
});
