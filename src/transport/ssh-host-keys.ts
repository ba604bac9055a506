// Host key verification for one SSH hop against known_hosts (I/O: reads the files, appends accepted
// keys). The decisions themselves are in known-hosts.ts.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import {
  checkHostKey,
  fingerprintKey,
  formatKnownHostsLine,
  listKnownKeyTypes,
  parseKnownHosts,
  readKeyType,
  type KnownHostEntry,
} from './known-hosts.js';
import { createParsedFileCache } from './parsed-file-cache.js';
import { TransportError } from './types.js';

export interface HostKeyPolicy {
  /** Files read, in order; the first is where accepted keys go. */
  files: string[];
  acceptNew: boolean;
  /** Write accepted keys hashed (HashKnownHosts yes). */
  hash: boolean;
}

const readKnownHosts = createParsedFileCache((text, file) => parseKnownHosts(text ?? '', file));

const combined = new Map<string, { parts: KnownHostEntry[][]; entries: KnownHostEntry[] }>();

/** The entries of every file, in order; the same array while no file changes, so its index is built once. */
export async function loadKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const parts = await Promise.all(files.map(readKnownHosts));
  if (parts.length === 1) return parts[0]!;
  const key = files.join('\0');
  const known = combined.get(key);
  if (known !== undefined && known.parts.every((part, i) => part === parts[i])) return known.entries;
  const entries = parts.flat();
  combined.set(key, { parts, entries });
  return entries;
}

type Verifier = (key: Buffer, verify: (valid: boolean) => void) => void;

/**
 * An ssh2 hostVerifier for `name` (the known_hosts form of the hop). A refusal is reported through
 * onRefuse before the handshake is failed, so the caller can throw our error rather than ssh2's.
 */
export function createHostVerifier(
  host: string,
  name: string,
  entries: readonly KnownHostEntry[],
  policy: HostKeyPolicy,
  onRefuse: (error: TransportError) => void,
): Verifier {
  return (key, verify) => {
    const verdict = checkHostKey(entries, name, key);
    const fingerprint = fingerprintKey(key);
    const type = readKeyType(key);
    const refuse = (error: TransportError): void => {
      onRefuse(error);
      verify(false);
    };
    switch (verdict.status) {
      case 'known':
        return verify(true);
      case 'revoked':
        return refuse(new TransportError('host-key-changed', host,
          `host key ${type} ${fingerprint} of ${name} is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}; refusing to connect`));
      case 'changed':
        return refuse(new TransportError('host-key-changed', host,
          `HOST KEY CHANGED for ${name}: the server presented ${type} ${fingerprint} but ` +
          `${verdict.entry.file}:${verdict.entry.line} has ${fingerprintKey(Buffer.from(verdict.entry.key, 'base64'))}. ` +
          `This may be an attack or a reinstalled host; after checking, remove the old key with ` +
          `ssh-keygen -R '${name}' -f ${verdict.entry.file}`));
      case 'unknown': {
        if (!policy.acceptNew) {
          const notes = [
            verdict.otherTypes.length > 0 ? `known_hosts has a ${verdict.otherTypes.join('/')} key for it, not ${type}` : '',
            verdict.caAuthorities.length > 0 ? '@cert-authority entries match it but host certificates are not supported' : '',
          ].filter((n) => n !== '');
          return refuse(new TransportError('host-key-unknown', host,
            `host key of ${name} is not in known_hosts (${policy.files.join(', ')}): ${type} ${fingerprint}` +
            `${notes.length > 0 ? ` (${notes.join('; ')})` : ''}. Check the fingerprint, then run again with ` +
            `--accept-new-host-keys to record it (or ssh to the host once)`));
        }
        appendKnownHost(policy, name, key).then(
          () => verify(true),
          (err: Error) => refuse(new TransportError('host-key-unknown', host, `cannot record host key of ${name}: ${err.message}`)),
        );
        return;
      }
    }
  };
}

async function appendKnownHost(policy: HostKeyPolicy, name: string, key: Buffer): Promise<void> {
  const file = policy.files[0];
  if (file === undefined) throw new Error('no known_hosts file to write to');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const current = await readFile(file, 'utf8').catch(() => '');
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  const line = formatKnownHostsLine(name, key, policy.hash ? randomBytes(20) : undefined);
  // One write() on an O_APPEND descriptor: concurrent accepts cannot interleave inside a line.
  await appendFile(file, separator + line, { mode: 0o600, flag: 'a' });
}

const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Host key algorithms with the types known_hosts has for this host first, so a known host is not asked for a key we never saw. */
export function preferHostKeyAlgorithms(entries: readonly KnownHostEntry[], name: string): ServerHostKeyAlgorithm[] {
  const preferred = listKnownKeyTypes(entries, name).flatMap((type): ServerHostKeyAlgorithm[] =>
    type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : HOST_KEY_ALGORITHMS.filter((a) => a === type),
  );
  return [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];
}
