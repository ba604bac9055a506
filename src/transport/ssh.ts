// The SSH connection (ssh2): one connection per host (through its ProxyJump hops), one exec channel
// per command. Target resolution, authentication and host keys live in their own modules.
import { randomBytes } from 'node:crypto';
import { homedir, hostname, userInfo } from 'node:os';
import type { Readable } from 'node:stream';
// ssh2 is CommonJS: under plain Node ESM only its default export carries everything.
import pLimit from 'p-limit';
import ssh2, { type Client, type ClientChannel } from 'ssh2';
import type { InventoryHost } from '../model/inventory.js';
import { formatHostName } from './known-hosts.js';
import { buildBecomeSpec, buildInvocation, quoteArgv } from './quote.js';
import { runInvocation, type ProcessHandle } from './run-invocation.js';
import { buildAuthPlan, describeAuthFailure } from './ssh-auth.js';
import { createHostVerifier, loadKnownHosts, preferHostKeyAlgorithms, type HostKeyPolicy } from './ssh-host-keys.js';
import { parseSshConfig, resolveSshTarget, type SshTarget } from './ssh-target.js';
import { createParsedFileCache } from './parsed-file-cache.js';
import { TransportError, type Command, type ExecOptions, type ExecResult, type Transport, type TransportOptions } from './types.js';

const KEEPALIVE_INTERVAL_MS = 15_000;
/** sshd's default MaxSessions is 10; staying under it keeps parallel execs from failing to open. */
const MAX_PARALLEL_CHANNELS = 8;
/** Socket errors that mean the host cannot be reached, in an operator's words. */
const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is sshd running, on this port?)',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  ECONNRESET: 'connection reset',
};

const readSshConfig = createParsedFileCache((text) => parseSshConfig(text ?? ''));

export async function openSshTransport(host: InventoryHost, options: TransportOptions): Promise<Transport> {
  const home = homedir();
  const target = await resolveHostTarget(host, options, home);
  const clients: Client[] = [];
  const closeAll = (): Promise<void> => Promise.all([...clients].reverse().map(endClient)).then(() => undefined);
  try {
    const hops = [...target.jumps, target];
    let sock: Readable | undefined;
    for (const [index, hop] of hops.entries()) {
      const client = await connectHop(host.name, hop, sock, options, home);
      clients.push(client);
      const next = hops[index + 1];
      if (next !== undefined) sock = await forwardTo(host.name, client, next);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  const client = clients[clients.length - 1] as Client;
  return createSshTransport(host, target, client, options, closeAll);
}

async function resolveHostTarget(host: InventoryHost, options: TransportOptions, home: string): Promise<SshTarget> {
  const configPath = options.sshConfigPath ?? `${home}/.ssh/config`;
  const c = host.connection;
  let target: SshTarget;
  try {
    // Inside the try: a config that does not parse is named, as a host it makes unreachable.
    target = resolveSshTarget(
      { alias: c.address, port: c.port, user: c.user, identityFile: c.identityFile },
      await readSshConfig(configPath),
      { home, localUser: userInfo().username, localHostName: hostname() },
    );
  } catch (err) {
    throw new TransportError('unreachable', host.name, `${configPath}: ${(err as Error).message}`);
  }
  const unsupported = [target, ...target.jumps].flatMap((t) => t.unsupported.map((u) => `${u} (for ${t.alias})`));
  if (unsupported.length > 0) {
    throw new TransportError('unreachable', host.name, `${configPath}: ${unsupported.join(', ')} not supported; use ProxyJump`);
  }
  return target;
}

async function connectHop(
  hostName: string,
  hop: SshTarget,
  sock: Readable | undefined,
  options: TransportOptions,
  home: string,
): Promise<Client> {
  const policy: HostKeyPolicy = {
    files: options.knownHostsPath !== undefined ? [options.knownHostsPath]
      : hop.knownHostsFiles.length > 0 ? hop.knownHostsFiles : [`${home}/.ssh/known_hosts`],
    acceptNew: options.acceptNewHostKeys,
    hash: hop.hashKnownHosts,
  };
  // The system-wide file is read too (never written), as ssh does, unless a test or caller pinned one file.
  const readFiles = options.knownHostsPath !== undefined ? policy.files : [...policy.files, '/etc/ssh/ssh_known_hosts'];
  const entries = await loadKnownHosts(readFiles);
  const keyName = hop.hostKeyAlias ?? formatHostName(hop.hostName, hop.port);
  const auth = await buildAuthPlan(hop, process.env);
  const where = `${hop.user}@${hop.hostName}:${hop.port}`;
  if (auth.methods.length === 0) throw new TransportError('auth-failed', hostName, describeAuthFailure(hop, auth));

  return new Promise<Client>((resolve, reject) => {
    const client = new ssh2.Client();
    let refusal: TransportError | null = null;
    // One handler for the connection's whole life: the first error decides the connect; later ones
    // (a drop after ready, the teardown of a failed handshake) surface through channels or not at all.
    let settled = false;
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      if (refusal !== null) return reject(refusal);
      if (err.level === 'client-authentication') {
        return reject(new TransportError('auth-failed', hostName, describeAuthFailure(hop, auth)));
      }
      if (err.level === 'client-timeout') {
        return reject(new TransportError('unreachable', hostName, `${where}: no SSH handshake within ${options.connectTimeoutMs} ms`));
      }
      const words = err.code !== undefined ? UNREACHABLE_CODES[err.code] : undefined;
      if (words !== undefined) return reject(new TransportError('unreachable', hostName, `${where}: ${words} [${err.code}]`));
      return reject(new TransportError('unreachable', hostName, `${where}: ${err.message}`));
    });
    client.once('close', () => {
      if (settled) return;
      settled = true;
      reject(refusal ?? new TransportError('unreachable', hostName, `${where}: connection closed during the handshake`));
    });
    client.connect({
      host: hop.hostName,
      port: hop.port,
      username: hop.user,
      ...(sock !== undefined ? { sock } : {}),
      readyTimeout: options.connectTimeoutMs,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: 3,
      authHandler: auth.methods,
      algorithms: { serverHostKey: preferHostKeyAlgorithms(entries, keyName) },
      hostVerifier: createHostVerifier(hostName, keyName, entries, policy, (e) => {
        refusal = e;
      }),
    });
  });
}

const CLOSE_WAIT_MS = 2_000;

/** Ends a connection and waits for the socket to go, but not forever (a dead peer never answers). */
function endClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, CLOSE_WAIT_MS);
    timer.unref();
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}

/** A tunnel from the hop we are on to the next one (ProxyJump's direct-tcpip). */
function forwardTo(hostName: string, via: Client, next: SshTarget): Promise<Readable> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, next.hostName, next.port, (err, stream) => {
      if (err) reject(new TransportError('unreachable', hostName, `ProxyJump cannot reach ${next.hostName}:${next.port}: ${err.message}`));
      else resolve(stream);
    });
  });
}

function createSshTransport(
  host: InventoryHost,
  target: SshTarget,
  client: Client,
  options: TransportOptions,
  closeAll: () => Promise<void>,
): Transport {
  const connection = host.connection;
  const limit = pLimit(MAX_PARALLEL_CHANNELS);
  let closed = false;
  const run = async (command: Command, opts: ExecOptions): Promise<ExecResult> => {
    const spec = buildBecomeSpec(connection, target.user, opts.become, () => randomBytes(8).toString('hex'));
    const invocation = buildInvocation(command, spec, opts.stdin);
    const handle = await openChannel(host.name, client, quoteArgv(invocation.argv));
    return runInvocation(handle, invocation, {
      host: host.name,
      timeoutMs: opts.timeoutMs ?? options.commandTimeoutMs,
      password: connection.becomePassword,
      label: 'argv' in command ? (command.argv[0] ?? 'command') : 'script',
    });
  };
  return {
    host: host.name,
    async exec(command: Command, opts: ExecOptions = {}): Promise<ExecResult> {
      if (closed) throw new Error(`transport to ${host.name} is closed`);
      return limit(() => run(command, opts));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await closeAll();
    },
  };
}

// ssh2 never calls back when the connection drops while a channel is opening (a host going down for a
// reboot, a cut link): without the close listener the exec would hang with nothing keeping Node alive.
// The handle (with its 'exit' and 'close' listeners) is built inside ssh2's callback, not after the
// promise resolves: a fast command's exit-status and close can arrive in the same read as the channel's
// confirmation, and ssh2 emits them synchronously — a listener attached a microtask later misses the exit
// status and the command looks killed by a signal.
export async function openChannel(hostName: string, client: Client, commandLine: string): Promise<ProcessHandle> {
  // sshd refuses a channel while it is still tearing down sessions the client already saw close (MaxSessions
  // counts them a moment longer): a refused open is retried briefly before it is an error.
  for (let attempt = 1; ; attempt++) {
    try {
      return await requestChannel(hostName, client, commandLine);
    } catch (error) {
      const refused = error instanceof TransportError && error.code === 'channel' && /open failed/.test(error.message);
      if (!refused || attempt >= CHANNEL_OPEN_ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

const CHANNEL_OPEN_ATTEMPTS = 5;

function requestChannel(hostName: string, client: Client, commandLine: string): Promise<ProcessHandle> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new TransportError('channel', hostName, 'the connection closed while opening an exec channel'));
    client.once('close', onClose);
    client.exec(commandLine, (err, channel) => {
      client.removeListener('close', onClose);
      if (err) reject(new TransportError('channel', hostName, `cannot open an exec channel: ${err.message}`));
      else resolve(channelHandle(channel));
    });
  });
}

function channelHandle(channel: ClientChannel): ProcessHandle {
  let code: number | null = null;
  channel.on('exit', (exitCode: number | null) => {
    code = typeof exitCode === 'number' ? exitCode : null;
  });
  const finished = new Promise<{ code: number | null }>((resolve) => channel.on('close', () => resolve({ code })));
  return {
    stdin: channel,
    stdout: channel,
    stderr: channel.stderr,
    finished,
    kill() {
      sendKillSignal(channel);
      channel.close();
    },
  };
}

/** What ssh2 keeps inside a channel; its public signal() is a no-op once stdin has ended. */
interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(id: number, name: string): void } };
}

/**
 * Asks the server to SIGKILL the command (OpenSSH >= 7.9 honours it, except for root logins, where
 * sshd runs without post-auth privilege separation and refuses). Closing the channel alone
 * leaves a hung remote command running, and by timeout time we have always sent EOF, which makes
 * ssh2's public signal() silently skip the request, so we send it through the protocol object.
 */
function sendKillSignal(channel: ClientChannel): void {
  const internals = channel as unknown as ChannelInternals;
  const outgoing = internals.outgoing;
  const protocol = internals._client?._protocol;
  if ((outgoing?.state !== 'open' && outgoing?.state !== 'eof') || protocol === undefined) return;
  try {
    protocol.signal(outgoing.id, 'KILL');
  } catch {
    // The connection is going away; closing the channel below is all that is left to do.
  }
}
