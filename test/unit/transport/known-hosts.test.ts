import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHostKey,
  fingerprintKey,
  formatHostName,
  formatKnownHostsLine,
  listKnownKeyTypes,
  matchHostPatterns,
  parseKnownHosts,
  readKeyType,
} from '../../../src/transport/known-hosts.js';

interface GeneratedKey {
  /** `type base64` as in a .pub file. */
  pub: string;
  blob: Buffer;
  pubFile: string;
}

let dir: string;
const keys: Record<'ed1' | 'ed2' | 'ecdsa', GeneratedKey> = {} as never;

function generate(name: string, type: string): GeneratedKey {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
  const [keyType, base64] = readFileSync(`${file}.pub`, 'utf8').split(' ');
  return { pub: `${keyType} ${base64}`, blob: Buffer.from(base64 ?? '', 'base64'), pubFile: `${file}.pub` };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kernfleet-kh-'));
  keys.ed1 = generate('ed1', 'ed25519');
  keys.ed2 = generate('ed2', 'ed25519');
  keys.ecdsa = generate('ecdsa', 'ecdsa');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkHostKey', () => {
  it('knows a key listed under one of several names on a line', () => {
    // A typical line: name, IP and a second alias share one key.
    const entries = parseKnownHosts(`# comment\n\nhv01,10.0.0.1,hv01.lab ${keys.ed1.pub}\n`, 'kh');
    expect(checkHostKey(entries, '10.0.0.1', keys.ed1.blob)).toMatchObject({ status: 'known', entry: { file: 'kh', line: 3 } });
    expect(checkHostKey(entries, 'HV01.lab', keys.ed1.blob).status).toBe('known');
    expect(checkHostKey(entries, 'hv02', keys.ed1.blob).status).toBe('unknown');
  });

  it('uses the [host]:port form for ports other than 22', () => {
    // The same host on 2222 is a different known_hosts name than on 22.
    expect(formatHostName('HV01', 22)).toBe('hv01');
    expect(formatHostName('hv01', 2222)).toBe('[hv01]:2222');
    const entries = parseKnownHosts(`[hv01]:2222 ${keys.ed1.pub}\n`, 'kh');
    expect(checkHostKey(entries, formatHostName('hv01', 2222), keys.ed1.blob).status).toBe('known');
    expect(checkHostKey(entries, formatHostName('hv01', 22), keys.ed1.blob).status).toBe('unknown');
  });

  it('matches entries hashed by ssh-keygen -H', () => {
    // OpenSSH's own hashing (HMAC-SHA1 with a per-line salt) must be recognised.
    const file = join(dir, 'hashed');
    writeFileSync(file, `hv01 ${keys.ed1.pub}\n[10.0.0.5]:2200 ${keys.ecdsa.pub}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file]);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('hv01');
    const entries = parseKnownHosts(text, file);
    expect(checkHostKey(entries, 'hv01', keys.ed1.blob).status).toBe('known');
    expect(checkHostKey(entries, '[10.0.0.5]:2200', keys.ecdsa.blob).status).toBe('known');
    expect(checkHostKey(entries, 'hv02', keys.ed1.blob).status).toBe('unknown');
  });

  it('reports a different key of the same type as changed, naming the known line', () => {
    // The host was reinstalled (or someone is in the middle).
    const entries = parseKnownHosts(`hv01 ${keys.ed1.pub}\n`, '/root/.ssh/known_hosts');
    expect(checkHostKey(entries, 'hv01', keys.ed2.blob)).toMatchObject({
      status: 'changed',
      entry: { file: '/root/.ssh/known_hosts', line: 1, key: keys.ed1.blob.toString('base64') },
    });
  });

  it('treats a key of a type never seen for the host as unknown and says which types are known', () => {
    // known_hosts has only the ECDSA key; the server shows its ed25519 key.
    const entries = parseKnownHosts(`hv01 ${keys.ecdsa.pub}\n`, 'kh');
    expect(checkHostKey(entries, 'hv01', keys.ed1.blob)).toEqual({ status: 'unknown', otherTypes: ['ecdsa-sha2-nistp256'], caAuthorities: [] });
  });

  it('refuses a @revoked key even when it is also listed as known', () => {
    // Revocation wins over any matching line, whatever host pattern the revocation uses.
    const entries = parseKnownHosts(`hv01 ${keys.ed1.pub}\n@revoked * ${keys.ed1.pub}\n`, 'kh');
    expect(checkHostKey(entries, 'hv01', keys.ed1.blob)).toMatchObject({ status: 'revoked', entry: { line: 2 } });
  });

  it('does not trust @cert-authority lines but reports them', () => {
    // Host certificates are not supported; the CA line must not make a plain key known.
    const entries = parseKnownHosts(`@cert-authority *.lab ${keys.ed1.pub}\n`, 'kh');
    const verdict = checkHostKey(entries, 'hv01.lab', keys.ed1.blob);
    expect(verdict.status).toBe('unknown');
    expect(verdict.status === 'unknown' && verdict.caAuthorities.map((e) => e.line)).toEqual([1]);
  });

  it('skips malformed lines without losing the good ones', () => {
    // A truncated line in the middle of the file.
    const entries = parseKnownHosts(`broken-line-only\nhv01 ${keys.ed1.pub}\n`, 'kh');
    expect(entries).toHaveLength(1);
    expect(entries[0]?.line).toBe(2);
  });
});

describe('checkHostKey on a fleet-sized known_hosts', () => {
  it('finds the same entries, in file order, as matching every line would', () => {
    // A line per host, plus what a lookup by name must not skip: wildcards, a negation, hashed names,
    // markers, and a host listed on two lines with keys of two types.
    const lines = Array.from({ length: 400 }, (_, i) => `hv${i},10.1.${i >> 8}.${i & 255} ${i === 7 ? keys.ecdsa.pub : keys.ed2.pub}`);
    lines.splice(3, 0, `hv*.lab,!hv9.lab ${keys.ed1.pub}`);
    lines.splice(100, 0, `@cert-authority *.lab ${keys.ecdsa.pub}`);
    lines.push(`HV7 ${keys.ed1.pub}`, `${formatKnownHostsLine('hv12', keys.ed1.blob, Buffer.alloc(20, 7)).trim()}`);
    const entries = parseKnownHosts(`${lines.join('\n')}\n`, 'kh');
    const everyLine = (name: string) => entries.filter((e) => matchHostPatterns(e.patterns, name));
    for (const name of ['hv7', 'HV7', 'hv12', 'hv9.lab', 'hv3.lab', '10.1.1.2', 'hv399', 'nobody']) {
      const expectTypes = [...new Set(everyLine(name).filter((e) => e.marker === null).map((e) => e.keyType))];
      expect(listKnownKeyTypes(entries, name), name).toEqual(expectTypes);
    }
    expect(checkHostKey(entries, 'hv7', keys.ed1.blob)).toMatchObject({ status: 'known', entry: { line: 403 } });
    expect(checkHostKey(entries, 'hv7', keys.ecdsa.blob)).toMatchObject({ status: 'known', entry: { line: 9 } });
    expect(checkHostKey(entries, 'hv12', keys.ed1.blob)).toMatchObject({ status: 'known', entry: { line: 404 } });
    expect(checkHostKey(entries, 'hv12', keys.ed2.blob).status).toBe('known');
    expect(checkHostKey(entries, 'hv3.lab', keys.ed1.blob).status).toBe('known');
    expect(checkHostKey(entries, 'hv9.lab', keys.ed1.blob)).toMatchObject({ status: 'unknown', caAuthorities: [{ line: 101 }] });
    expect(checkHostKey(entries, 'hv20', keys.ed1.blob)).toMatchObject({ status: 'changed', entry: { line: 22 } });
  });
});

describe('matchHostPatterns', () => {
  it('supports wildcards and lets a negation veto a match', () => {
    // `*.lab,!bad.lab` covers the lab except one machine.
    expect(matchHostPatterns(['*.lab', '!bad.lab'], 'hv01.lab')).toBe(true);
    expect(matchHostPatterns(['*.lab', '!bad.lab'], 'bad.lab')).toBe(false);
    expect(matchHostPatterns(['hv0?'], 'hv07')).toBe(true);
    expect(matchHostPatterns(['hv0?'], 'hv10')).toBe(false);
    expect(matchHostPatterns(['10.0.0.1'], '10.0.0.11')).toBe(false);
  });
});

describe('key helpers', () => {
  it('computes the same SHA256 fingerprint as ssh-keygen -l', () => {
    // The fingerprint in our error message must be what an operator compares with.
    const fromKeygen = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', keys.ed1.pubFile], { encoding: 'utf8' }).split(' ')[1];
    expect(fingerprintKey(keys.ed1.blob)).toBe(fromKeygen);
    expect(readKeyType(keys.ecdsa.blob)).toBe('ecdsa-sha2-nistp256');
  });

  it('writes lines that ssh-keygen -F finds, plain and hashed', () => {
    // Keys accepted by kernfleet must be usable by plain ssh afterwards.
    const file = join(dir, 'written');
    writeFileSync(file, formatKnownHostsLine('[hv01]:2222', keys.ed1.blob) + formatKnownHostsLine('hv02', keys.ed2.blob, Buffer.alloc(20, 7)));
    expect(readFileSync(file, 'utf8')).not.toContain('hv02');
    expect(execFileSync('ssh-keygen', ['-F', '[hv01]:2222', '-f', file], { encoding: 'utf8' })).toContain(keys.ed1.pub.split(' ')[1]);
    expect(execFileSync('ssh-keygen', ['-F', 'hv02', '-f', file], { encoding: 'utf8' })).toContain(keys.ed2.pub.split(' ')[1]);
  });

  it('lists the key types known for a host', () => {
    // Used to ask the server for a key type we can verify.
    const entries = parseKnownHosts(`hv01 ${keys.ecdsa.pub}\nhv01 ${keys.ed1.pub}\nhv02 ${keys.ed2.pub}\n@revoked hv01 ${keys.ed2.pub}\n`, 'kh');
    expect(listKnownKeyTypes(entries, 'hv01')).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
  });
});
