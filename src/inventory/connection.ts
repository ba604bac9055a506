// Ansible connection variables → how to reach a host.
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { Connection, Diagnostic, SourceRef } from '../model/index.js';

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1', 'y']);

/** Pure apart from reading the home directory for `~`. */
export function buildConnection(name: string, vars: Record<string, unknown>, baseDir: string, source: SourceRef): { connection: Connection; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const text = (key: string): string | null => {
    const value = vars[key];
    return value === undefined || value === null || value === '' ? null : String(value);
  };
  let port: number | null = null;
  const portText = text('ansible_port') ?? text('ansible_ssh_port');
  if (portText !== null) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      diagnostics.push({ severity: 'error', code: 'invalid-port', message: `host ${name}: ansible_port "${portText}" is not a port number (1-65535)`, source });
      port = null;
    }
  }
  const kind = text('ansible_connection');
  if (kind !== null && !['ssh', 'local', 'smart', 'paramiko'].includes(kind)) {
    diagnostics.push({ severity: 'error', code: 'invalid-connection', message: `host ${name}: ansible_connection "${kind}" is not supported (ssh or local)`, source });
  }
  const keyFile = text('ansible_ssh_private_key_file') ?? text('ansible_private_key_file');
  const connection: Connection = {
    kind: kind === 'local' ? 'local' : 'ssh',
    address: text('ansible_host') ?? text('ansible_ssh_host') ?? name,
    port,
    user: text('ansible_user') ?? text('ansible_ssh_user'),
    identityFile: keyFile === null ? null : expandPath(keyFile, baseDir),
    become: isTrue(vars.ansible_become),
    becomeUser: text('ansible_become_user') ?? 'root',
    becomePassword: text('ansible_become_password') ?? text('ansible_become_pass'),
  };
  return { connection, diagnostics };
}

function isTrue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return typeof value === 'string' && TRUE_WORDS.has(value.trim().toLowerCase());
}

/** `~` is the controller user's home; a relative key path is taken from the inventory's folder. */
function expandPath(path: string, baseDir: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
