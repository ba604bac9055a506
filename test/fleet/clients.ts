// Ways for tests to reach a fleet host: the OpenSSH client (through the fleet's ssh config) and ssh2,
// the library kernfleet's transport uses. Both return the exit code instead of throwing on it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import type { Fleet, FleetHost } from './fleet.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the connection dropped before the command ended. */
  code: number | null;
}

export function sshExec(fleet: Fleet, host: string, command: string, extraArgs: string[] = []): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      'ssh',
      ['-F', fleet.sshConfigPath, '-i', fleet.keyPath, '-o', `UserKnownHostsFile=${fleet.knownHostsPath}`, ...extraArgs, host, command],
      { encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

export function connectSsh2(fleet: Fleet, host: FleetHost): Promise<Client> {
  const knownKey = readFileSync(fleet.knownHostsPath, 'utf8').split('\n')[0]!.split(' ')[2]!;
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .once('ready', () => resolve(client))
      .once('error', reject)
      .connect({
        host: host.address,
        port: host.port,
        username: host.user,
        privateKey: readFileSync(fleet.keyPath),
        readyTimeout: 20_000,
        // Strict host key checking against the fleet's known_hosts, as kernfleet does by default.
        hostVerifier: (key: Buffer) => key.toString('base64') === knownKey,
      });
  });
}

export function ssh2Exec(client: Client, command: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      stream.on('exit', (c: number | null) => (code = c));
      stream.on('close', () => resolve({ stdout, stderr, code }));
    });
  });
}
