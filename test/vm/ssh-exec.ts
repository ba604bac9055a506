// Runs one command in the guest with the OpenSSH client: an independent witness, deliberately not
// kernfleet's own ssh2 transport, so the suite checks kernfleet against something it did not write.
import { spawn } from 'node:child_process';

/** Where and how to log in: strict host key checking against our own known_hosts, key auth only. */
export interface SshTarget {
  host: string;
  port: number;
  user: string;
  keyPath: string;
  knownHostsPath: string;
}

/** What the remote command printed and how it ended (255: ssh itself failed, e.g. no connection). */
export interface SshResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** OpenSSH argv for one remote command; no user or system ssh config can change what it does. */
export function buildSshArgs(target: SshTarget, command: string, connectTimeoutSeconds: number): string[] {
  return [
    '-F', '/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${target.knownHostsPath}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes',
    '-o', `IdentityFile=${target.keyPath}`,
    '-o', `ConnectTimeout=${connectTimeoutSeconds}`,
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    '-o', 'LogLevel=ERROR',
    '-p', String(target.port),
    `${target.user}@${target.host}`,
    '--',
    command,
  ];
}

/** Runs `command` (a remote shell command line) and never throws for a failing command. */
export function runSsh(target: SshTarget, command: string, options: { timeoutMs?: number; connectTimeoutSeconds?: number } = {}): Promise<SshResult> {
  const args = buildSshArgs(target, command, options.connectTimeoutSeconds ?? 30);
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr: signal === null ? stderr : `${stderr}ssh killed by ${signal} (timeout)\n`, code: code ?? 255 });
    });
  });
}
