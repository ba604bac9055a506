import { chmod, chown, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyRemoteFile, backupDirOf, CREATED_LIST, hashContent } from '../../../src/apply/remote-file.js';
import { resume, stopChildOf } from '../../fleet/processes.js';
import { cutStdin, startLocalHost, type LocalHost } from './local-host.js';

const OLD = 'vm.swappiness = 60\n';
const NEW = '# managed by kernfleet\nvm.swappiness = 10\n';
const RUN = '20261123T143000Z-ab12';

let host: LocalHost;
let ctx: { runId: string; become: boolean; stateDir: string };
beforeEach(async () => {
  host = await startLocalHost();
  ctx = { runId: RUN, become: false, stateDir: host.stateDir };
  await mkdir(join(host.root, 'etc/sysctl.d'), { recursive: true });
});
afterEach(() => host.dispose());

const backupOf = (path: string) => join(backupDirOf(RUN, host.stateDir), path);
const leftovers = async (dir: string) => (await readdir(dir)).filter((n) => n.includes('.kf-'));

describe('applyRemoteFile', () => {
  it('replaces a file atomically, keeping its mode and owner, after backing up the original', async () => {
    // An existing root-written sysctl file with unusual mode and owner is rewritten by kernfleet.
    const path = join(host.root, 'etc/sysctl.d/99-kernfleet.conf');
    await writeFile(path, OLD);
    await chmod(path, 0o640);
    await chown(path, 1234, 2345);
    const result = await applyRemoteFile(host.transport, { path, before: OLD, after: NEW }, ctx);
    expect(result).toEqual({ path, ok: true, outcome: 'written' });
    expect(await readFile(path, 'utf8')).toBe(NEW);
    const now = await stat(path);
    expect([now.mode & 0o777, now.uid, now.gid]).toEqual([0o640, 1234, 2345]);
    expect(await readFile(backupOf(path), 'utf8')).toBe(OLD);
    const saved = await stat(backupOf(path));
    expect([saved.mode & 0o777, saved.uid, saved.gid]).toEqual([0o640, 1234, 2345]);
    expect(await leftovers(join(host.root, 'etc/sysctl.d'))).toEqual([]);
  });

  it('creates a missing file and its directory with the requested mode and records it as created', async () => {
    // The modules-load.d directory does not exist yet on a minimal host.
    const path = join(host.root, 'etc/modules-load.d/kernfleet.conf');
    const result = await applyRemoteFile(host.transport, { path, before: null, after: 'vfio_pci\n', mode: '0600' }, ctx);
    expect(result.ok && result.outcome).toBe('written');
    expect(await readFile(path, 'utf8')).toBe('vfio_pci\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(join(backupDirOf(RUN, host.stateDir), CREATED_LIST), 'utf8')).toBe(`${path}\n`);
  });

  it('reports unchanged when the host already holds the wanted content, and sends no second backup', async () => {
    // A resumed run meets a file it already wrote: the original backup must survive.
    const path = join(host.root, 'etc/sysctl.d/99-kernfleet.conf');
    await writeFile(path, OLD);
    await applyRemoteFile(host.transport, { path, before: OLD, after: NEW }, ctx);
    const again = await applyRemoteFile(host.transport, { path, before: OLD, after: NEW }, ctx);
    expect(again).toEqual({ path, ok: true, outcome: 'unchanged' });
    expect(await readFile(backupOf(path), 'utf8')).toBe(OLD);
  });

  it('refuses a file that changed on the host since the plan, touching nothing', async () => {
    // An operator edited the file by hand between plan and apply.
    const path = join(host.root, 'etc/sysctl.d/99-kernfleet.conf');
    await writeFile(path, 'vm.swappiness = 1\n');
    const result = await applyRemoteFile(host.transport, { path, before: OLD, after: NEW }, ctx);
    expect(result).toMatchObject({ ok: false, reason: 'conflict' });
    expect(!result.ok && result.message).toContain('changed on the host since the plan');
    expect(await readFile(path, 'utf8')).toBe('vm.swappiness = 1\n');
    await expect(stat(backupOf(path))).rejects.toThrow();
  });

  it('overwrites a hand-edited file when the before guard is off', async () => {
    // A caller that already checked the host fingerprint may skip the per-file guard.
    const path = join(host.root, 'etc/sysctl.d/99-kernfleet.conf');
    await writeFile(path, 'vm.swappiness = 1\n');
    const result = await applyRemoteFile(host.transport, { path, before: OLD, after: NEW }, { ...ctx, guardBefore: false });
    expect(result.ok).toBe(true);
    expect(await readFile(backupOf(path), 'utf8')).toBe('vm.swappiness = 1\n');
  });

  it('leaves the old file intact when the connection delivers only part of the content', async () => {
    // The stream is cut after 10 bytes: the remote cat sees an early EOF and would happily exit 0.
    const path = join(host.root, 'etc/sysctl.d/99-kernfleet.conf');
    await writeFile(path, OLD);
    const result = await applyRemoteFile(cutStdin(host.transport, 10), { path, before: OLD, after: NEW }, ctx);
    expect(result).toMatchObject({ ok: false, reason: 'transfer' });
    expect(!result.ok && result.message).toContain(`10 of ${Buffer.byteLength(NEW)} bytes`);
    expect(await readFile(path, 'utf8')).toBe(OLD);
    expect(await leftovers(join(host.root, 'etc/sysctl.d'))).toEqual([]);
  });

  it('leaves the old file intact, and no temp file, when the command times out mid-transfer', async () => {
    // A 64 MiB write whose cat is stopped as soon as it runs, so the timeout falls mid-transfer on any machine.
    const path = join(host.root, 'etc/sysctl.d/big.conf');
    await writeFile(path, OLD);
    const size = 64 * 1024 * 1024;
    const writing = applyRemoteFile(host.transport, { path, before: OLD, after: 'x'.repeat(size) }, { ...ctx, timeoutMs: 1_000 });
    let stopped: number[] = [];
    try {
      stopped = await stopChildOf(path, 'cat', writing);
      expect((await leftovers(join(host.root, 'etc/sysctl.d'))).length).toBe(1);
      expect(await writing).toMatchObject({ ok: false, reason: 'transfer' });
    } finally {
      // cat takes the TERM it was sent once it runs again: the script's trap then removes the temp file.
      resume(stopped);
    }
    await vi.waitFor(async () => expect(await leftovers(join(host.root, 'etc/sysctl.d'))).toEqual([]), { timeout: 5_000, interval: 50 });
    expect(await readFile(path, 'utf8')).toBe(OLD);
  });

  it('removes the temp file a killed write of the same path left, and nothing else', async () => {
    // A power loss mid-write left .99-kernfleet.conf.kf-Ab12Cd; other files that look alike are not its.
    const dir = join(host.root, 'etc/sysctl.d');
    const path = join(dir, '99-kernfleet.conf');
    await writeFile(path, OLD);
    const others = ['.10-other.conf.kf-Zz99Yy', '99-kernfleet.conf.kf-Qq11Rr', '.99-kernfleet.conf.kf-toolong1'];
    for (const name of ['.99-kernfleet.conf.kf-Ab12Cd', ...others]) await writeFile(join(dir, name), 'x'.repeat(1000));
    const result = await applyRemoteFile(host.transport, { path, before: OLD, after: NEW }, ctx);
    expect(result).toEqual({ path, ok: true, outcome: 'written' });
    expect((await readdir(dir)).sort()).toEqual([...others, '99-kernfleet.conf'].sort());
    expect(await readFile(path, 'utf8')).toBe(NEW);
  });

  it('writes through a symlink to its target and keeps the link', async () => {
    // Debian ships /etc/sysctl.d/99-sysctl.conf as a link to ../sysctl.conf.
    const target = join(host.root, 'etc/sysctl.conf');
    const link = join(host.root, 'etc/sysctl.d/99-sysctl.conf');
    await writeFile(target, OLD);
    await symlink('../sysctl.conf', link);
    const result = await applyRemoteFile(host.transport, { path: link, before: OLD, after: NEW }, ctx);
    expect(result.ok).toBe(true);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('../sysctl.conf');
    expect(await readFile(target, 'utf8')).toBe(NEW);
    expect(await readFile(backupOf(target), 'utf8')).toBe(OLD);
  });

  it('deletes a file after backing it up, and reports unchanged when it is already gone', async () => {
    // A module blacklist kernfleet once wrote is no longer wanted.
    const path = join(host.root, 'etc/modprobe.d/kernfleet-blacklist.conf');
    await mkdir(join(host.root, 'etc/modprobe.d'));
    await writeFile(path, 'blacklist nouveau\n');
    const first = await applyRemoteFile(host.transport, { path, before: 'blacklist nouveau\n', after: null }, ctx);
    expect(first).toEqual({ path, ok: true, outcome: 'deleted' });
    await expect(stat(path)).rejects.toThrow();
    expect(await readFile(backupOf(path), 'utf8')).toBe('blacklist nouveau\n');
    const second = await applyRemoteFile(host.transport, { path, before: 'blacklist nouveau\n', after: null }, ctx);
    expect(second).toEqual({ path, ok: true, outcome: 'unchanged' });
  });

  it('never puts the content on a command line', async () => {
    // The content holds shell syntax; it must travel only on stdin.
    const path = join(host.root, 'etc/sysctl.d/99-kernfleet.conf');
    const content = `kernel.core_pattern = |$(touch ${host.root}/pwned) 'x'\n`;
    const result = await applyRemoteFile(host.transport, { path, before: null, after: content }, ctx);
    expect(result.ok).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(content);
    expect(JSON.stringify(host.commands)).not.toContain('core_pattern');
    expect(JSON.stringify(host.commands)).toContain(hashContent(content));
    await expect(stat(join(host.root, 'pwned'))).rejects.toThrow();
  });

  it('rejects relative paths and odd run ids without contacting the host', async () => {
    // A malformed edit must not reach the shell at all.
    const relative = await applyRemoteFile(host.transport, { path: 'etc/x.conf', before: null, after: 'a' }, ctx);
    const badRun = await applyRemoteFile(host.transport, { path: '/etc/x.conf', before: null, after: 'a' }, { ...ctx, runId: '../x' });
    expect([relative.ok, badRun.ok]).toEqual([false, false]);
    expect(host.commands).toEqual([]);
  });
});
