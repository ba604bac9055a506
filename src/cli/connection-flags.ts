// The flags of every command that contacts hosts, declared once.
import type { Command } from 'commander';
import { DiagnosticError } from '../errors.js';
import type { GatherOptions } from '../facts/gather.js';

export interface ConnectionFlags {
  forks: string;
  acceptNewHostKeys?: boolean;
  connectTimeout: string;
  commandTimeout: string;
  sshConfig?: string;
  knownHosts?: string;
  color?: boolean;
}

export interface ConnectionDefaults {
  forks: string;
  forksHelp: string;
  commandTimeout: string;
}

const READ_ONLY: ConnectionDefaults = { forks: '50', forksHelp: 'hosts contacted at once', commandTimeout: '120' };

export function withConnectionFlags(command: Command, defaults: ConnectionDefaults = READ_ONLY): Command {
  return command
    .option('-f, --forks <n>', defaults.forksHelp, defaults.forks)
    .option('--accept-new-host-keys', 'record host keys not yet in known_hosts (a changed key is always refused)')
    .option('--connect-timeout <s>', 'seconds to establish an SSH connection', '15')
    .option('--command-timeout <s>', 'seconds a remote command may run', defaults.commandTimeout)
    .option('--ssh-config <file>', 'OpenSSH client config (default ~/.ssh/config)')
    .option('--known-hosts <file>', 'known_hosts file (default: ssh config UserKnownHostsFile or ~/.ssh/known_hosts)')
    .option('--no-color', 'plain text even on a terminal (NO_COLOR is honoured too)');
}

export function readGatherOptions(flags: ConnectionFlags): GatherOptions {
  return {
    forks: readPositiveInt(flags.forks, '--forks'),
    acceptNewHostKeys: flags.acceptNewHostKeys === true,
    connectTimeoutMs: readPositiveInt(flags.connectTimeout, '--connect-timeout') * 1000,
    commandTimeoutMs: readPositiveInt(flags.commandTimeout, '--command-timeout') * 1000,
    ...(flags.sshConfig ? { sshConfigPath: flags.sshConfig } : {}),
    ...(flags.knownHosts ? { knownHostsPath: flags.knownHosts } : {}),
  };
}

export function readPositiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new DiagnosticError([{ severity: 'error', code: 'bad-flag', message: `${flag} must be a whole number above 0, got "${text}"` }]);
  }
  return n;
}
