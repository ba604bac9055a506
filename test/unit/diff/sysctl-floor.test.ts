import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import type { HostProfile } from '../../../src/model/index.js';
import { buildHostPlan } from '../../../src/plan/index.js';
import { buildSysctlFileEdit } from '../../../src/plan/managed-files.js';
import { aDesired, aProfile, aProfileAfter, at, type DeepPartial } from '../../builders.js';

const LONG_MAX = '9223372036854775807';
const MANAGED = '/etc/sysctl.d/99-debvisor.conf';
const ids = (r: { changes: { id: string }[] }) => r.changes.map((c) => c.id);
const floor = (key: string, min: string) => aDesired({ sysctl: { values: { [key]: { value: min, atLeast: true, source: at(70) } } } });
const withLive = (key: string, live: string | null, files: { path: string; content: string }[] = []) =>
  aProfile({ sysctl: { live: { [key]: live }, files: [...aProfile().sysctl.files, ...files] } } as DeepPartial<HostProfile>);
/** The managed file's assignment lines, header and blank lines aside. */
const managedLines = (desired: ReturnType<typeof aDesired>, profile: HostProfile) =>
  buildSysctlFileEdit(desired, profile)?.after?.split('\n').filter((l) => l !== '' && !l.startsWith('#')) ?? null;

describe('sysctl floors', () => {
  it('raises a live value below the floor and persists the floor when no file sets the key', () => {
    // An old kernel's RAM-sized default: 8192 inotify watches, and nothing in sysctl.d about them.
    const desired = floor('fs.inotify.max_user_watches', '524288');
    const profile = withLive('fs.inotify.max_user_watches', '8192');
    const result = diffHost(desired, profile);
    expect(ids(result)).toEqual(['sysctl:fs.inotify.max_user_watches:set-live', 'sysctl:fs.inotify.max_user_watches:persist']);
    expect(result.changes[0]).toMatchObject({ from: '8192', to: '524288', rollback: 'sysctl -w fs.inotify.max_user_watches=8192' });
    expect(result.changes[0]?.reason).toBe('fs.inotify.max_user_watches is 8192, below the floor 524288');
    expect(result.changes[1]).toMatchObject({ from: null, to: '524288', layer: 'persisted' });
    expect(result.changes[1]?.reason).toContain('the boot default 8192 is below the floor 524288');
    expect(managedLines(desired, profile)).toEqual(['fs.inotify.max_user_watches = 524288']);
  });

  it('leaves a live value above the floor alone and writes nothing when no file sets the key', () => {
    // systemd raised fs.file-max to LONG_MAX at boot; the guide's 2097152 would lower it.
    const desired = floor('fs.file-max', '2097152');
    const profile = withLive('fs.file-max', LONG_MAX);
    expect(diffHost(desired, profile)).toMatchObject({ changes: [], diagnostics: [], satisfied: 1 });
    expect(buildSysctlFileEdit(desired, profile)).toBeNull();
  });

  it('holds when the live value equals the floor', () => {
    // somaxconn is exactly the floor already (an operator set it by hand at boot time).
    const result = diffHost(floor('net.core.somaxconn', '4096'), withLive('net.core.somaxconn', '4096'));
    expect(result).toMatchObject({ changes: [], diagnostics: [], satisfied: 1 });
  });

  it('compares beyond 2^53 exactly: LONG_MAX - 1 is below a LONG_MAX floor', () => {
    // As doubles both numbers are 9223372036854775808; only integer comparison sees the difference.
    const result = diffHost(floor('fs.file-max', LONG_MAX), withLive('fs.file-max', '9223372036854775806'));
    expect(ids(result)).toEqual(['sysctl:fs.file-max:set-live', 'sysctl:fs.file-max:persist']);
    expect(result.changes[0]).toMatchObject({ from: '9223372036854775806', to: LONG_MAX });
    expect(diffHost(floor('fs.file-max', '9223372036854775806'), withLive('fs.file-max', LONG_MAX)).changes).toEqual([]);
  });

  it('writes the floor in the managed file when another file persists a lower value', () => {
    // A vendor file sets fs.file-max to 100000 and the kernel has it; the managed file comes later and wins.
    const desired = floor('fs.file-max', '2097152');
    const profile = withLive('fs.file-max', '100000', [{ path: '/usr/lib/sysctl.d/30-vendor.conf', content: 'fs.file-max = 100000\n' }]);
    const result = diffHost(desired, profile);
    expect(ids(result)).toEqual(['sysctl:fs.file-max:set-live', 'sysctl:fs.file-max:persist']);
    expect(result.changes[1]).toMatchObject({ from: '100000', to: '2097152' });
    expect(result.changes[1]?.reason).toBe('the next boot sets fs.file-max = 100000 (/usr/lib/sysctl.d/30-vendor.conf:1), below the floor 2097152');
    expect(result.diagnostics).toEqual([]);
    expect(managedLines(desired, profile)).toEqual(['fs.file-max = 2097152']);
  });

  it('persists the floor when a file sets a lower value even though the live value holds', () => {
    // Someone raised the value by hand, but the file that decides the next boot still lowers it.
    const desired = floor('fs.file-max', '2097152');
    const profile = withLive('fs.file-max', LONG_MAX, [{ path: '/etc/sysctl.d/60-limits.conf', content: 'fs.file-max = 100000\n' }]);
    expect(ids(diffHost(desired, profile))).toEqual(['sysctl:fs.file-max:persist']);
  });

  it('reports a later file below the floor as an override, naming its line', () => {
    // /etc/sysctl.conf is read after every sysctl.d file and sets watches to 8192.
    const desired = floor('fs.inotify.max_user_watches', '524288');
    const profile = withLive('fs.inotify.max_user_watches', '8192');
    profile.sysctl.files = profile.sysctl.files.map((f) => (f.path === '/etc/sysctl.conf' ? { ...f, content: `${f.content}fs.inotify.max_user_watches = 8192\n` } : f));
    const result = diffHost(desired, profile);
    expect(ids(result)).toEqual(['sysctl:fs.inotify.max_user_watches:set-live', `sysctl:${MANAGED}:write-file`]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'sysctl-overridden' })]);
    expect(result.diagnostics[0]?.message).toBe(
      `fs.inotify.max_user_watches >= 524288 in ${MANAGED} is overridden by /etc/sysctl.conf:14 (fs.inotify.max_user_watches = 8192): the next boot would not have it`,
    );
  });

  it('accepts a file that sets a value at or above the floor, even before the live value is raised', () => {
    // An operator's file asks 1048576 watches; the kernel still runs with 8192 until it is applied.
    const desired = floor('fs.inotify.max_user_watches', '524288');
    const profile = withLive('fs.inotify.max_user_watches', '8192', [{ path: '/etc/sysctl.d/90-watches.conf', content: 'fs.inotify.max_user_watches = 1048576\n' }]);
    const result = diffHost(desired, profile);
    expect(ids(result)).toEqual(['sysctl:fs.inotify.max_user_watches:set-live']);
    expect(result.diagnostics).toEqual([]);
    expect(buildSysctlFileEdit(desired, profile)).toBeNull();
  });

  it('keeps a higher value already in the managed file instead of lowering it to the floor', () => {
    // An older playbook wrote somaxconn = 65535 exactly; the floor is now 32768.
    const desired = floor('net.core.somaxconn', '32768');
    const profile = withLive('net.core.somaxconn', '65535', [{ path: MANAGED, content: 'net.core.somaxconn = 65535\n' }]);
    expect(diffHost(desired, profile)).toMatchObject({ changes: [], diagnostics: [], satisfied: 1 });
    // No edit at all: the file as it stands is what this run wants.
    expect(buildSysctlFileEdit(desired, profile)).toBeNull();
    const withOther = aDesired({ sysctl: { values: { ...desired.sysctl.values, 'vm.overcommit_memory': { value: '1', source: at(71) } } } });
    expect(managedLines(withOther, profile)).toEqual(['net.core.somaxconn = 65535', 'vm.overcommit_memory = 1']);
  });

  it('raises a value in the managed file that is below the floor', () => {
    // The managed file still says 4096 from an earlier playbook; the floor is 32768.
    const desired = floor('net.core.somaxconn', '32768');
    const profile = withLive('net.core.somaxconn', '4096', [{ path: MANAGED, content: 'net.core.somaxconn = 4096\n' }]);
    expect(ids(diffHost(desired, profile))).toEqual(['sysctl:net.core.somaxconn:set-live', 'sysctl:net.core.somaxconn:persist']);
    expect(managedLines(desired, profile)).toEqual(['net.core.somaxconn = 32768']);
  });

  it('refuses to compare a floor with a value that is not one integer', () => {
    // tcp_rmem holds three numbers; a floor on it is a playbook mistake, not something to write.
    const result = diffHost(floor('net.ipv4.tcp_rmem', '4096'), withLive('net.ipv4.tcp_rmem', '4096\t131072\t6291456'));
    expect(result.changes).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'sysctl-not-integer', host: 'hv1' })]);
    expect(buildSysctlFileEdit(floor('net.ipv4.tcp_rmem', '4096'), withLive('net.ipv4.tcp_rmem', '4096\t131072\t6291456'))).toBeNull();
  });

  it('converges: after the plan runs, a second diff finds nothing and keeps the floor in the file', () => {
    // A vendor file lowers fs.file-max, watches are below their floor, and somaxconn (4096) already meets its own.
    const desired = aDesired({
      sysctl: {
        values: {
          'fs.file-max': { value: '2097152', atLeast: true, source: at(70) },
          'fs.inotify.max_user_watches': { value: '524288', atLeast: true, source: at(71) },
          'net.core.somaxconn': { value: '4096', atLeast: true, source: at(72) },
        },
      },
    });
    const profile = withLive('fs.file-max', '100000', [{ path: '/usr/lib/sysctl.d/30-vendor.conf', content: 'fs.file-max = 100000\n' }]);
    profile.sysctl.live['fs.inotify.max_user_watches'] = '8192';
    const after = aProfileAfter(profile, desired, buildHostPlan(desired, profile, diffHost(desired, profile)));
    expect(after.sysctl.live).toMatchObject({ 'fs.file-max': '2097152', 'fs.inotify.max_user_watches': '524288', 'net.core.somaxconn': '4096' });
    expect(diffHost(desired, after)).toMatchObject({ changes: [], diagnostics: [], satisfied: 3 });
    const written = after.sysctl.files.find((f) => f.path === MANAGED)?.content.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(written).toEqual(['fs.file-max = 2097152', 'fs.inotify.max_user_watches = 524288']);
  });
});
