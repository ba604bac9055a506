import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Connection, InventoryHost } from '../../../src/model/inventory.js';
import { KILL_GRACE_MS } from '../../../src/transport/local.js';
import { openTransport, TransportError, type Transport } from '../../../src/transport/index.js';

const FAKE_SUDO_DIR = resolve(import.meta.dirname, '../../fixtures/transport/fake-sudo-bin');
const OPTIONS = { acceptNewHostKeys: false, connectTimeoutMs: 5_000, commandTimeoutMs: 10_000 };

function aLocalHost(connection: Partial<Connection> = {}): InventoryHost {
  return {
    name: 'localhost',
    groups: ['all', 'ungrouped'],
    vars: {},
    connection: {
      kind: 'local', address: 'localhost', port: null, user: null, identityFile: null,
      become: false, becomeUser: 'root', becomePassword: null, ...connection,
    },
    source: { file: 'inventories/local.yml', line: 1, col: 1 },
  };
}

describe('local transport', () => {
  let transport: Transport;
  beforeEach(async () => {
    transport = await openTransport(aLocalHost(), OPTIONS);
  });
  afterEach(async () => {
    await transport.close();
  });

  it('runs argv without a shell and reports stdout, stderr and the exit code', async () => {
    // Arguments full of shell syntax reach the program literally because no shell is involved.
    const result = await transport.exec({ argv: ['sh', '-c', 'printf "%s|" "$@"; echo oops >&2; exit 3', 'sh', '$(id)', 'a b'] });
    expect(result).toEqual({ stdout: '$(id)|a b|', stderr: 'oops\n', code: 3 });
  });

  it('runs a multi-line script through sh -s', async () => {
    // The probe is a script; it sees no arguments and its own variables.
    const result = await transport.exec({ script: 'x=41\nx=$((x + 1))\necho "$x $#"\n' });
    expect(result.stdout).toBe('42 0\n');
    expect(result.code).toBe(0);
  });

  it('feeds stdin to argv commands and to scripts', async () => {
    // Both shapes of command read the caller's bytes, including a script that is not itself on stdin.
    expect((await transport.exec({ argv: ['cat'] }, { stdin: 'hello\nworld' })).stdout).toBe('hello\nworld');
    expect((await transport.exec({ script: 'tr a-z A-Z' }, { stdin: Buffer.from('abc') })).stdout).toBe('ABC');
  });

  it('answers 127 for a program that does not exist, like a shell', async () => {
    // Same outcome as over SSH, where the remote shell reports it.
    const result = await transport.exec({ argv: ['kernfleet-no-such-program'] });
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/kernfleet-no-such-program: command not found/);
  });

  it('kills a command and its children on timeout', async () => {
    // A script whose child would outlive a plain kill of sh; the whole group must go.
    const dir = await mkdtemp(join(tmpdir(), 'kernfleet-local-'));
    try {
      const started = Date.now();
      const run = transport.exec({ script: `sleep 30 & echo $! > ${dir}/pid; wait` }, { timeoutMs: 300 });
      await expect(run).rejects.toMatchObject({ name: 'TransportError', code: 'timeout', host: 'localhost' });
      expect(Date.now() - started).toBeLessThan(5_000);
      const pid = Number(await readFile(join(dir, 'pid'), 'utf8'));
      await new Promise((r) => setTimeout(r, 100));
      // Gone, or a zombie waiting for init to reap it: either way no longer running.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => 'gone');
      expect(stat === 'gone' || / Z /.test(stat)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets a timed-out script run its TERM trap, and kills what ignores TERM after the grace period', async () => {
    // One script cleans up on TERM; its background child ignores TERM and must still be gone after KILL_GRACE_MS.
    const dir = await mkdtemp(join(tmpdir(), 'kernfleet-local-'));
    try {
      const script = [
        `(trap '' TERM; exec sleep 30) & echo $! > ${dir}/stubborn`,
        `trap 'echo cleaned > ${dir}/trap; exit 143' TERM`,
        'sleep 30 & wait',
      ].join('\n');
      await expect(transport.exec({ script }, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'timeout' });
      await vi.waitFor(async () => expect(await readFile(join(dir, 'trap'), 'utf8')).toBe('cleaned\n'), { timeout: 1_000 });
      const stubborn = Number(await readFile(join(dir, 'stubborn'), 'utf8'));
      const state = async () => (await readFile(`/proc/${stubborn}/stat`, 'utf8').catch(() => 'gone')).replace(/^.*\) /s, '');
      expect(await state()).toMatch(/^S /);
      await vi.waitFor(async () => expect(await state()).toMatch(/^(gone|Z )/), { timeout: KILL_GRACE_MS + 3_000, interval: 100 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs become commands directly when already root', async () => {
    // The test runs as root, so becoming root needs no sudo (which is not even installed here).
    const result = await transport.exec({ argv: ['id', '-u'] }, { become: true });
    expect(result.stdout.trim()).toBe(String(process.getuid?.()));
  });
});

describe('local transport through sudo', () => {
  const saved = { path: process.env.PATH, password: process.env.FAKE_SUDO_PASSWORD };
  beforeEach(() => {
    process.env.PATH = `${FAKE_SUDO_DIR}:${saved.path ?? ''}`;
  });
  afterEach(() => {
    process.env.PATH = saved.path;
    if (saved.password === undefined) delete process.env.FAKE_SUDO_PASSWORD;
    else process.env.FAKE_SUDO_PASSWORD = saved.password;
  });

  it('types the become password only when sudo asks, and the command still gets its stdin', async () => {
    // sudo wants "s3cret"; the script arrives on stdin after the dialogue and never sees the password.
    process.env.FAKE_SUDO_PASSWORD = 's3cret';
    const transport = await openTransport(aLocalHost({ becomeUser: 'nobody', becomePassword: 's3cret' }), OPTIONS);
    const result = await transport.exec({ script: 'echo "ran=$FAKE_SUDO_RAN"; cat; echo done >&2' }, { become: true, stdin: 'line1\n' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('ran=1\nline1\n');
    expect(result.stderr).toBe('done\n');
    expect(result.stdout + result.stderr).not.toContain('s3cret');
  });

  it('proceeds without typing anything when sudo does not ask', async () => {
    // A NOPASSWD rule: the password is configured but must not end up in the command's input.
    delete process.env.FAKE_SUDO_PASSWORD;
    const transport = await openTransport(aLocalHost({ becomeUser: 'nobody', becomePassword: 's3cret' }), OPTIONS);
    const result = await transport.exec({ argv: ['cat'] }, { become: true, stdin: 'only this' });
    expect(result.stdout).toBe('only this');
  });

  it('reports a wrong become password as sudo-password without echoing it', async () => {
    // sudo keeps asking; the transport answers once and then gives up.
    process.env.FAKE_SUDO_PASSWORD = 'right';
    const transport = await openTransport(aLocalHost({ becomeUser: 'nobody', becomePassword: 'wrong-pw' }), OPTIONS);
    const error = await transport.exec({ argv: ['true'] }, { become: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'sudo-password' });
    expect((error as Error).message).not.toContain('wrong-pw');
  });

  it('reports sudo -n needing a password as sudo-required', async () => {
    // No become password in the inventory, but sudo wants one.
    process.env.FAKE_SUDO_PASSWORD = 'right';
    const transport = await openTransport(aLocalHost({ becomeUser: 'nobody' }), OPTIONS);
    await expect(transport.exec({ argv: ['true'] }, { become: true })).rejects.toMatchObject({ code: 'sudo-required' });
  });

  it('takes become from the inventory when the exec does not say', async () => {
    // ansible_become on the host applies to every command unless the caller opts out.
    delete process.env.FAKE_SUDO_PASSWORD;
    const transport = await openTransport(aLocalHost({ become: true, becomeUser: 'nobody' }), OPTIONS);
    expect((await transport.exec({ script: 'echo "$FAKE_SUDO_RAN"' })).stdout).toBe('1\n');
    expect((await transport.exec({ script: 'echo "$FAKE_SUDO_RAN"' }, { become: false })).stdout).toBe('\n');
  });
});
