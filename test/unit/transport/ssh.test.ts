import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, InventoryHost } from '../../../src/model/inventory.js';
import { openTransport, TransportError, type Transport, type TransportOptions } from '../../../src/transport/index.js';

// One throw-away OpenSSH server on 127.0.0.5 for the whole file: root login by key only.
const ADDRESS = '127.0.0.5';
const FAKE_SUDO_DIR = resolve(import.meta.dirname, '../../fixtures/transport/fake-sudo-bin');
let dir: string;
let port: number;
let deadPort: number;
let sshd: ChildProcess;
let sshdLog = '';
const saved = { home: process.env.HOME, agent: process.env.SSH_AUTH_SOCK };

function keygen(name: string): string {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return file;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, ADDRESS, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function waitForPort(p: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(p, ADDRESS, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${ADDRESS}:${p}: ${sshdLog}`);
}

function aHost(connection: Partial<Connection> = {}): InventoryHost {
  return {
    name: 'hv-test',
    groups: ['all'],
    vars: {},
    connection: {
      kind: 'ssh', address: ADDRESS, port, user: 'root', identityFile: join(dir, 'client'),
      become: false, becomeUser: 'root', becomePassword: null, ...connection,
    },
    source: { file: 'inventory.yml', line: 1, col: 1 },
  };
}

function options(knownHosts: string, extra: Partial<TransportOptions> = {}): TransportOptions {
  return {
    acceptNewHostKeys: false, connectTimeoutMs: 5_000, commandTimeoutMs: 10_000,
    knownHostsPath: join(dir, knownHosts), sshConfigPath: join(dir, 'no-ssh-config'), ...extra,
  };
}

function knownLine(p: number): string {
  return `[${ADDRESS}]:${p} ${readFileSync(join(dir, 'hostkey.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
}

const acceptedLogins = (): number => sshdLog.split('Accepted publickey').length - 1;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kernfleet-sshd-'));
  // No agent, no ~/.ssh of the real user: only the keys a test names are offered.
  process.env.HOME = join(dir, 'home');
  delete process.env.SSH_AUTH_SOCK;
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  keygen('hostkey');
  keygen('otherhostkey');
  const client = keygen('client');
  keygen('stranger');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${client}.pub`));
  port = await freePort();
  deadPort = await freePort();
  writeFileSync(join(dir, 'sshd_config'), [
    `ListenAddress ${ADDRESS}:${port}`,
    `HostKey ${join(dir, 'hostkey')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'AllowTcpForwarding yes',
    'LogLevel INFO',
    // One SetEnv line (sshd keeps only the first). Sessions find the fake sudo first, which wants this
    // password (see test/fixtures/transport/fake-sudo-bin); SHLVL=1 keeps root's ~/.bashrc out of the
    // test (bash sources it for sshd commands below level 2; pyenv in it can stall a minute on a stale lock).
    `SetEnv PATH=${FAKE_SUDO_DIR}:/usr/sbin:/usr/bin:/sbin:/bin FAKE_SUDO_PASSWORD=s3cret SHLVL=1`,
    '',
  ].join('\n'));
  sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  sshd.stderr?.on('data', (chunk: Buffer) => {
    sshdLog += chunk.toString();
  });
  await waitForPort(port, Date.now() + 10_000);
}, 30_000);

afterAll(() => {
  sshd?.kill('SIGTERM');
  process.env.HOME = saved.home;
  if (saved.agent !== undefined) process.env.SSH_AUTH_SOCK = saved.agent;
  rmSync(dir, { recursive: true, force: true });
});

describe('ssh transport host keys', { timeout: 30_000 }, () => {
  it('refuses an unknown host key by default, showing its fingerprint and how to accept it', async () => {
    // Empty known_hosts, strict mode.
    writeFileSync(join(dir, 'kh-strict'), '');
    const error = await openTransport(aHost(), options('kh-strict')).catch((e: unknown) => e);
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'hostkey.pub')], { encoding: 'utf8' }).split(' ')[1];
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'host-key-unknown', host: 'hv-test' });
    expect((error as Error).message).toContain(fingerprint);
    expect((error as Error).message).toContain('--accept-new-host-keys');
    expect(readFileSync(join(dir, 'kh-strict'), 'utf8')).toBe('');
  });

  it('records a new key with accept-new, after which strict mode connects', async () => {
    // First contact with the flag, second contact without it.
    writeFileSync(join(dir, 'kh-new'), '# existing comment without newline');
    const first = await openTransport(aHost(), options('kh-new', { acceptNewHostKeys: true }));
    await first.close();
    const text = readFileSync(join(dir, 'kh-new'), 'utf8');
    expect(text).toBe(`# existing comment without newline\n${knownLine(port)}`);
    const second = await openTransport(aHost(), options('kh-new'));
    expect((await second.exec({ argv: ['true'] })).code).toBe(0);
    await second.close();
  });

  it('refuses a changed host key even when new keys may be accepted', async () => {
    // known_hosts holds another ed25519 key for this host:port.
    const other = readFileSync(join(dir, 'otherhostkey.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(join(dir, 'kh-changed'), `[${ADDRESS}]:${port} ${other}\n`);
    const error = await openTransport(aHost(), options('kh-changed', { acceptNewHostKeys: true })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'host-key-changed' });
    expect((error as Error).message).toMatch(/kh-changed:1/);
    expect(readFileSync(join(dir, 'kh-changed'), 'utf8')).toBe(`[${ADDRESS}]:${port} ${other}\n`);
  });
});

describe('ssh transport', { timeout: 30_000 }, () => {
  let transport: Transport;
  beforeAll(async () => {
    writeFileSync(join(dir, 'kh'), knownLine(port));
    transport = await openTransport(aHost(), options('kh'));
  });
  afterAll(async () => {
    await transport?.close();
  });

  it('runs argv with its arguments intact, reporting stdout, stderr and exit code', async () => {
    // Arguments with shell syntax must arrive literally through the remote login shell.
    const result = await transport.exec({ argv: ['sh', '-c', 'printf "%s|" "$@"; echo err >&2; exit 4', 'sh', '$(id)', "it's a b", '*'] });
    expect(result).toEqual({ stdout: "$(id)|it's a b|*|", stderr: 'err\n', code: 4 });
  });

  it('runs a script through sh -s and passes stdin to commands', async () => {
    // The probe path (script on stdin) and a command reading the caller's bytes.
    expect((await transport.exec({ script: 'a=20\necho $((a + 22))\n' })).stdout).toBe('42\n');
    expect((await transport.exec({ argv: ['cat'] }, { stdin: 'payload\n' })).stdout).toBe('payload\n');
    expect((await transport.exec({ script: 'wc -c' }, { stdin: Buffer.alloc(1000, 65) })).stdout.trim()).toBe('1000');
  });

  it('runs become commands without sudo when logged in as root', async () => {
    // The test server has no sudo at all; root needs none.
    expect((await transport.exec({ argv: ['id', '-u'] }, { become: true })).stdout).toBe('0\n');
  });

  it('answers sudo over the channel when becoming another user with a password', async () => {
    // Root becoming "nobody" goes through (fake) sudo, which asks for the password on stderr.
    const withPassword = await openTransport(aHost({ becomeUser: 'nobody', becomePassword: 's3cret' }), options('kh'));
    const result = await withPassword.exec({ script: 'echo "sudo=$FAKE_SUDO_RAN"; cat' }, { become: true, stdin: 'in\n' });
    await withPassword.close();
    expect(result).toEqual({ stdout: 'sudo=1\nin\n', stderr: '', code: 0 });
  });

  it('reuses one connection for every exec', async () => {
    // More commands in parallel than sshd's MaxSessions (10): none may fail or log in again.
    const before = acceptedLogins();
    const numbers = Array.from({ length: 12 }, (_, i) => String(i));
    const results = await Promise.all(numbers.map((n) => transport.exec({ argv: ['echo', n] })));
    expect(results.map((r) => r.stdout)).toEqual(numbers.map((n) => `${n}\n`));
    expect(acceptedLogins()).toBe(before);
  });

  it('times out a command, and the connection stays usable', async () => {
    // A hung command on one channel must not take the host's connection down.
    await expect(transport.exec({ argv: ['sleep', '20'] }, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'timeout' });
    expect((await transport.exec({ argv: ['echo', 'still here'] })).stdout).toBe('still here\n');
  });
});

describe('ssh transport failures and ProxyJump', { timeout: 30_000 }, () => {
  it('reports a refused login as auth-failed, naming the user and the key tried', async () => {
    // The key offered is not in authorized_keys.
    writeFileSync(join(dir, 'kh-auth'), knownLine(port));
    const stranger = join(dir, 'stranger');
    const error = await openTransport(aHost({ identityFile: stranger }), options('kh-auth')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth-failed' });
    expect((error as Error).message).toContain('root@127.0.0.5');
    expect((error as Error).message).toContain(stranger);
  });

  it('skips a passphrase-protected key and says why', async () => {
    // The only key named is encrypted; we cannot prompt for its passphrase.
    const locked = join(dir, 'locked');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-phrase', '-f', locked]);
    const error = await openTransport(aHost({ identityFile: locked }), options('kh-auth')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth-failed' });
    expect((error as Error).message).toMatch(/locked: encrypted/);
  });

  it('names the ssh config file that does not parse, for the host it makes unreachable', async () => {
    // An unclosed quote in ~/.ssh/config: no connection is tried, and the file is named.
    writeFileSync(join(dir, 'ssh_config_bad'), 'Host "web1\n  User root\n');
    const error = await openTransport(aHost(), options('kh-auth', { sshConfigPath: join(dir, 'ssh_config_bad') })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransportError', code: 'unreachable', host: 'hv-test' });
    expect((error as Error).message).toMatch(new RegExp(`^${join(dir, 'ssh_config_bad')}: .*web1`));
  });

  it('reports a closed port as unreachable', async () => {
    // Nothing listens on this port.
    const error = await openTransport(aHost({ port: deadPort }), options('kh-auth')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unreachable' });
    expect((error as Error).message).toMatch(/connection refused \(is sshd running, on this port\?\) \[ECONNREFUSED\]$/);
  });

  it('gives up on a server that never speaks SSH after the connect timeout', async () => {
    // A TCP port that accepts and then stays silent (a hung sshd, a wrong service).
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, ADDRESS, r));
    const address = silent.address();
    const silentPort = typeof address === 'object' && address !== null ? address.port : 0;
    const started = Date.now();
    const error = await openTransport(aHost({ port: silentPort }), options('kh-auth', { connectTimeoutMs: 400 })).catch((e: unknown) => e);
    silent.close();
    expect(error).toMatchObject({ code: 'unreachable' });
    expect((error as Error).message).toMatch(/no SSH handshake within 400 ms/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('connects through a ProxyJump hop resolved from ssh config', async () => {
    // "target" is reached via "jump" (the same sshd): two logins, one transport.
    writeFileSync(join(dir, 'ssh_config'), [
      'Host target',
      `  HostName ${ADDRESS}`,
      `  Port ${port}`,
      '  User root',
      '  ProxyJump jump',
      'Host jump',
      `  HostName ${ADDRESS}`,
      `  Port ${port}`,
      '  User root',
      'Host *',
      `  IdentityFile ${join(dir, 'client')}`,
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'kh-jump'), '');
    const before = acceptedLogins();
    const host = aHost({ address: 'target', port: null, user: null, identityFile: null });
    const transport = await openTransport(host, options('kh-jump', { acceptNewHostKeys: true, sshConfigPath: join(dir, 'ssh_config') }));
    const result = await transport.exec({ script: 'echo "$SSH_CONNECTION" | cut -d" " -f3' });
    await transport.close();
    expect(result.stdout).toBe(`${ADDRESS}\n`);
    await new Promise((r) => setTimeout(r, 100));
    expect(acceptedLogins() - before).toBe(2);
    expect(readFileSync(join(dir, 'kh-jump'), 'utf8')).toContain(`[${ADDRESS}]:${port} ssh-ed25519`);
  });
});
