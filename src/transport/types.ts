// The only interface through which kernfleet touches a host. Implementations: ssh.ts (ssh2) and
// local.ts (this machine). Commands are argv arrays; quote.ts is the one place they become shell text.

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the command was killed by a signal or the channel closed without one. */
  code: number | null;
}

export interface ExecOptions {
  /** Bytes fed to the command's standard input. */
  stdin?: string | Buffer;
  /** Kill the command after this long (default: the transport's commandTimeoutMs). */
  timeoutMs?: number;
  /** Run through sudo when the login user is not root (sudo -n; or -S with the become password on stdin, never logged). */
  become?: boolean;
}

/** A command: argv (quoted for the remote shell by the transport) or a POSIX sh script run by `sh -s`. */
export type Command = { argv: string[] } | { script: string };

export interface Transport {
  /** Inventory name of the host. */
  readonly host: string;
  exec(command: Command, opts?: ExecOptions): Promise<ExecResult>;
  /** Releases the connection; safe to call twice. */
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Accept and record host keys not yet in known_hosts (never a changed key). Default false: strict. */
  acceptNewHostKeys: boolean;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Default ~/.ssh/config. */
  sshConfigPath?: string;
  /** Default ~/.ssh/known_hosts. */
  knownHostsPath?: string;
}

export type TransportErrorCode =
  | 'unreachable'
  | 'auth-failed'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'timeout'
  | 'sudo-required'
  | 'sudo-password'
  | 'channel';

/** A failure to reach or use a host; becomes a per-host diagnostic. */
export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}
