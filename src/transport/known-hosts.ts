// known_hosts parsing and host key checking as OpenSSH does it (sshd(8) "SSH_KNOWN_HOSTS FILE
// FORMAT"). Pure: hashing is computation, the files are read and appended by ssh.ts.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface KnownHostEntry {
  /** Which file and 1-based line, for messages ("known_hosts:12"). */
  file: string;
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** Host patterns: plain (with * ? and !negation) or hashed `|1|salt|hash`. */
  patterns: string[];
  keyType: string;
  /** Base64 key blob as written. */
  key: string;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  | { status: 'changed'; entry: KnownHostEntry }
  /** otherTypes: key types known for this host that the server did not present; caAuthorities: @cert-authority lines we ignored. */
  | { status: 'unknown'; otherTypes: string[]; caAuthorities: KnownHostEntry[] };

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    const [hosts, keyType, key] = fields;
    // Malformed lines are skipped, as ssh does: one bad line must not lock out a fleet.
    if (hosts === undefined || keyType === undefined || key === undefined) return;
    entries.push({ file, line: index + 1, marker, patterns: hosts.split(','), keyType, key });
  });
  return entries;
}

/** The name known_hosts stores for a host: `host` on port 22, `[host]:port` otherwise; lower case as ssh hashes it. */
export function formatHostName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

/** Whether a known_hosts host field (already split on commas) names this host. A matching !negation wins. */
export function matchHostPatterns(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('|1|')) {
      if (matchHashedPattern(pattern, name)) matched = true;
    } else if (pattern.startsWith('!')) {
      if (matchWildcard(pattern.slice(1), name)) return false;
    } else if (matchWildcard(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

function matchHashedPattern(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|');
  if (salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = hashHostName(name, Buffer.from(salt, 'base64'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function hashHostName(name: string, salt: Buffer): Buffer {
  return createHmac('sha1', salt).update(name).digest();
}

const wildcards = new Map<string, RegExp>();

function matchWildcard(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase();
  let compiled = wildcards.get(pattern);
  if (compiled === undefined) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    compiled = new RegExp(`^${source}$`, 'i');
    wildcards.set(pattern, compiled);
  }
  return compiled.test(name);
}

/**
 * The entries that name `name`, in file order. A fleet's known_hosts has a line per host, and every
 * connection asks twice: the lines that list only plain names are looked up by name; the others
 * (wildcards, negations, hashed names) are matched one by one, as OpenSSH does.
 */
function entriesFor(entries: readonly KnownHostEntry[], name: string): KnownHostEntry[] {
  let index = indexes.get(entries);
  if (index === undefined) {
    index = indexByName(entries);
    indexes.set(entries, index);
  }
  const own = index.byName.get(name.toLowerCase()) ?? [];
  const candidates = own.length === 0 ? index.other : [...index.other, ...own].sort((a, b) => a - b);
  return candidates.map((i) => entries[i]!).filter((e) => matchHostPatterns(e.patterns, name));
}

interface NameIndex {
  /** Positions of entries with a pattern that is not a plain name. */
  other: number[];
  byName: Map<string, number[]>;
}

const indexes = new WeakMap<readonly KnownHostEntry[], NameIndex>();

function indexByName(entries: readonly KnownHostEntry[]): NameIndex {
  const index: NameIndex = { other: [], byName: new Map() };
  entries.forEach((entry, position) => {
    if (!entry.patterns.every((p) => !p.startsWith('|') && !p.startsWith('!') && !/[*?]/.test(p))) {
      index.other.push(position);
      return;
    }
    for (const name of new Set(entry.patterns.map((p) => p.toLowerCase()))) {
      const list = index.byName.get(name) ?? [];
      list.push(position);
      index.byName.set(name, list);
    }
  });
  return index;
}

/** The key type named inside an SSH public key blob (its first string). */
export function readKeyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** OpenSSH's fingerprint: SHA256: and the unpadded base64 digest of the blob. */
export function fingerprintKey(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Looks up a presented host key, OpenSSH style: revoked beats everything, then a matching key, then a changed one. */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, blob: Buffer): HostKeyVerdict {
  const keyType = readKeyType(blob);
  const key = blob.toString('base64');
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key === key);
  if (revoked !== undefined) return { status: 'revoked', entry: revoked };
  const forHost = entriesFor(entries, name);
  const plain = forHost.filter((e) => e.marker === null);
  const same = plain.find((e) => e.keyType === keyType && e.key === key);
  if (same !== undefined) return { status: 'known', entry: same };
  const changed = plain.find((e) => e.keyType === keyType);
  if (changed !== undefined) return { status: 'changed', entry: changed };
  return {
    status: 'unknown',
    otherTypes: [...new Set(plain.map((e) => e.keyType))],
    caAuthorities: forHost.filter((e) => e.marker === 'cert-authority'),
  };
}

/** Key types known for a host, so the client can ask the server for those first (as OpenSSH does). */
export function listKnownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entriesFor(entries, name).filter((e) => e.marker === null).map((e) => e.keyType);
  return [...new Set(types)];
}

/** A known_hosts line for a newly accepted key; hashed (HashKnownHosts) when a salt is given. */
export function formatKnownHostsLine(name: string, blob: Buffer, salt?: Buffer): string {
  const host = salt === undefined ? name : `|1|${salt.toString('base64')}|${hashHostName(name, salt).toString('base64')}`;
  return `${host} ${readKeyType(blob)} ${blob.toString('base64')}\n`;
}
