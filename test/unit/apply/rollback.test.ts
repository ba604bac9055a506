import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRemoteFile } from '../../../src/apply/remote-file.js';
import { restoreRunFiles } from '../../../src/apply/rollback.js';
import { startLocalHost, type LocalHost } from './local-host.js';

let host: LocalHost;
beforeEach(async () => {
  host = await startLocalHost();
});
afterEach(() => host.dispose());

describe('restoreRunFiles', () => {
  it('restores every file a run changed and deletes the ones it created', async () => {
    // A run rewrote a 0640 grub file and created a sysctl file; then it is rolled back.
    const grub = join(host.root, 'etc/default/grub');
    const created = join(host.root, 'etc/sysctl.d/99-kernfleet.conf');
    await mkdir(join(host.root, 'etc/default'), { recursive: true });
    await writeFile(grub, 'GRUB_CMDLINE_LINUX=""\n');
    await chmod(grub, 0o640);
    const ctx = { runId: 'run-9', become: false, stateDir: host.stateDir };
    await applyRemoteFile(host.transport, { path: grub, before: 'GRUB_CMDLINE_LINUX=""\n', after: 'GRUB_CMDLINE_LINUX="iommu=pt"\n' }, ctx);
    await applyRemoteFile(host.transport, { path: created, before: null, after: 'vm.swappiness = 10\n' }, ctx);
    const result = await restoreRunFiles(host.transport, ctx);
    expect(result).toEqual({ ok: true, restored: [grub], deleted: [created] });
    expect(await readFile(grub, 'utf8')).toBe('GRUB_CMDLINE_LINUX=""\n');
    expect((await stat(grub)).mode & 0o777).toBe(0o640);
    await expect(stat(created)).rejects.toThrow();
  });

  it('removes the temp file a killed rollback or write of a restored path left', async () => {
    // A rollback killed between mktemp and rename (power loss) left .grub.kf-Zx81Qa; the next rollback clears it.
    const grub = join(host.root, 'etc/default/grub');
    await mkdir(join(host.root, 'etc/default'), { recursive: true });
    await writeFile(grub, 'GRUB_CMDLINE_LINUX=""\n');
    const ctx = { runId: 'run-11', become: false, stateDir: host.stateDir };
    await applyRemoteFile(host.transport, { path: grub, before: 'GRUB_CMDLINE_LINUX=""\n', after: 'GRUB_CMDLINE_LINUX="iommu=pt"\n' }, ctx);
    await writeFile(join(host.root, 'etc/default/.grub.kf-Zx81Qa'), 'GRUB_CMDLINE_');
    await writeFile(join(host.root, 'etc/default/.grub.d.kf-Zx81Qa'), 'not ours');
    expect(await restoreRunFiles(host.transport, ctx)).toEqual({ ok: true, restored: [grub], deleted: [] });
    expect(await readdir(join(host.root, 'etc/default'))).toEqual(['.grub.d.kf-Zx81Qa', 'grub']);
    expect(await readFile(grub, 'utf8')).toBe('GRUB_CMDLINE_LINUX=""\n');
  });

  it('says so when the host has no backups for the run', async () => {
    // The run id was mistyped, or the run never reached this host.
    const result = await restoreRunFiles(host.transport, { runId: 'nope', become: false, stateDir: host.stateDir });
    expect(result).toMatchObject({ ok: false, message: `hv01 has no backups for run nope (${host.stateDir}/backups/nope)` });
  });

  it('deletes a file the run created and then changed again, without restoring it first', async () => {
    // The ledger: the boot step creates it, the apply record rewrites it, so the backups hold the run's own first version.
    const ledger = join(host.root, 'var/lib/kernfleet/ledger.json');
    const ctx = { runId: 'run-10', become: false, stateDir: host.stateDir };
    await applyRemoteFile(host.transport, { path: ledger, before: null, after: '{"added":{}}\n' }, ctx);
    await applyRemoteFile(host.transport, { path: ledger, before: '{"added":{}}\n', after: '{"added":{},"last_apply":{}}\n' }, ctx);
    const result = await restoreRunFiles(host.transport, ctx);
    expect(result).toEqual({ ok: true, restored: [], deleted: [ledger] });
    await expect(stat(ledger)).rejects.toThrow();
  });
});
