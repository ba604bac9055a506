import { describe, expect, it } from 'vitest';
import { parseJumpSpec, parseSshConfig, resolveSshTarget, type SshTargetRequest } from '../../../src/transport/ssh-target.js';

const ENV = { home: '/home/op', localUser: 'op', localHostName: 'ctl.example.org' };

function ask(alias: string, overrides: Partial<SshTargetRequest> = {}): SshTargetRequest {
  return { alias, port: null, user: null, identityFile: null, ...overrides };
}

const CONFIG = `
Host hv*
  HostName %h.lab.example.org
  User admin
  Port 2200
  IdentityFile ~/.ssh/lab_%h_%r
  IdentityFile /keys/%u.key
  UserKnownHostsFile ~/.ssh/known_hosts.lab /etc/ssh/lab_hosts
  HashKnownHosts yes

Host bastion
  HostName 192.0.2.10
  User jump
  IdentityFile ~/.ssh/bastion

Host inner
  ProxyJump bastion

Host deep
  ProxyJump jumper@inner:2022,bastion

Host legacy
  ProxyCommand nc %h %p

Host *
  User fallback
  Port 22
  IdentitiesOnly no
`;

describe('resolveSshTarget', () => {
  it('applies the first value of each option, expanding ~ and % tokens', () => {
    // A host matched by `Host hv*` and by `Host *`: the earlier block wins, IdentityFile accumulates.
    const target = resolveSshTarget(ask('hv01'), CONFIG, ENV);
    expect(target).toMatchObject({
      alias: 'hv01',
      hostName: 'hv01.lab.example.org',
      port: 2200,
      user: 'admin',
      identityFiles: ['/home/op/.ssh/lab_hv01.lab.example.org_admin', '/keys/op.key'],
      knownHostsFiles: ['/home/op/.ssh/known_hosts.lab', '/etc/ssh/lab_hosts'],
      hashKnownHosts: true,
      jumps: [],
      unsupported: [],
    });
  });

  it('lets inventory values win over the config, with the inventory key tried first', () => {
    // ansible_port/user/key set: like Ansible passing -p/-l/-i to ssh.
    const target = resolveSshTarget(ask('hv01', { port: 22, user: 'root', identityFile: '~/.ssh/fleet' }), CONFIG, ENV);
    expect(target.port).toBe(22);
    expect(target.user).toBe('root');
    expect(target.identityFiles[0]).toBe('/home/op/.ssh/fleet');
    expect(target.identityFiles[1]).toBe('/home/op/.ssh/lab_hv01.lab.example.org_root');
  });

  it('falls back to the alias, the local user and the default keys when the config says nothing', () => {
    // No config file at all.
    const target = resolveSshTarget(ask('10.1.2.3'), '', ENV);
    expect(target).toMatchObject({ hostName: '10.1.2.3', port: 22, user: 'op', identityAgent: null, knownHostsFiles: [], hashKnownHosts: false });
    expect(target.identityFiles).toEqual(['/home/op/.ssh/id_ed25519', '/home/op/.ssh/id_ecdsa', '/home/op/.ssh/id_rsa']);
  });

  it('resolves a ProxyJump hop through its own config block', () => {
    // inner is reached through bastion, whose HostName, User and key come from its block.
    const target = resolveSshTarget(ask('inner'), CONFIG, ENV);
    expect(target.hostName).toBe('inner');
    expect(target.user).toBe('fallback');
    expect(target.jumps).toHaveLength(1);
    expect(target.jumps[0]).toMatchObject({ alias: 'bastion', hostName: '192.0.2.10', user: 'jump', port: 22, identityFiles: ['/home/op/.ssh/bastion'] });
  });

  it('flattens a chain of hops outermost first, with the first hop following its own ProxyJump', () => {
    // deep → jumper@inner:2022 (itself behind bastion) → bastion: three hops before the target.
    const target = resolveSshTarget(ask('deep'), CONFIG, ENV);
    expect(target.jumps.map((j) => `${j.user}@${j.hostName}:${j.port}`)).toEqual([
      'jump@192.0.2.10:22',
      'jumper@inner:2022',
      'jump@192.0.2.10:22',
    ]);
    expect(target.jumps.every((j) => j.jumps.length === 0)).toBe(true);
  });

  it('flags ProxyCommand as unsupported instead of silently connecting directly', () => {
    // Connecting around an intended proxy could reach the wrong machine.
    expect(resolveSshTarget(ask('legacy'), CONFIG, ENV).unsupported).toEqual(['ProxyCommand']);
  });

  it('stops on a ProxyJump loop', () => {
    // a jumps through b, b through a.
    const loop = 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n';
    expect(() => resolveSshTarget(ask('a'), loop, ENV)).toThrow(/ProxyJump chain deeper/);
  });

  it('honours IdentitiesOnly, IdentityAgent none and HostKeyAlias', () => {
    // A locked-down host entry.
    const config = 'Host locked\n  IdentitiesOnly yes\n  IdentityAgent none\n  HostKeyAlias locked-key\n  IdentityFile none\n';
    const target = resolveSshTarget(ask('locked'), config, ENV);
    expect(target).toMatchObject({ identitiesOnly: true, identityAgent: 'none', hostKeyAlias: 'locked-key' });
    expect(target.identityFiles).toEqual(['/home/op/.ssh/id_ed25519', '/home/op/.ssh/id_ecdsa', '/home/op/.ssh/id_rsa']);
  });
});

describe('parseJumpSpec', () => {
  it('reads user, host, port and bracketed IPv6 forms', () => {
    // The forms ProxyJump accepts.
    expect(parseJumpSpec('bastion')).toEqual({ alias: 'bastion', port: null, user: null, identityFile: null });
    expect(parseJumpSpec('ops@bastion:2022')).toMatchObject({ alias: 'bastion', port: 2022, user: 'ops' });
    expect(parseJumpSpec('[2001:db8::1]:22')).toMatchObject({ alias: '2001:db8::1', port: 22 });
    expect(parseJumpSpec('ssh://u@h:23')).toMatchObject({ alias: 'h', port: 23, user: 'u' });
  });
});

describe('resolveSshTarget with a config generated for a fleet', () => {
  // A section per host plus the shapes that must still reach every host: wildcards, negations, several
  // names on one line, a section naming a host twice, directives before any section.
  const FLEET = [
    'User ops',
    ...Array.from({ length: 300 }, (_, i) => `Host node${i}\n  HostName 10.0.${Math.floor(i / 250)}.${i % 250}\n  Port ${2000 + i}`),
    'Host node7 node8 spare\n  IdentityFile ~/.ssh/pair',
    'Host node1?\n  User teen',
    'Host * !node3\n  IdentitiesOnly yes\n  Port 22',
    'Host node5\n  ProxyJump node6',
  ].join('\n');
  const parsed = parseSshConfig(FLEET);
  const names = ['node0', 'node3', 'node5', 'node7', 'node8', 'node12', 'node299', 'spare', 'elsewhere', 'NODE1'];

  it('resolves every host as matching against the whole file does', () => {
    expect(parsed.index?.byName.get('node7')).toHaveLength(2);
    for (const name of names) {
      expect(resolveSshTarget(ask(name), parsed, ENV), name).toEqual(resolveAgainstWholeFile(ask(name), FLEET));
    }
    expect(resolveSshTarget(ask('node7'), parsed, ENV)).toMatchObject({ hostName: '10.0.0.7', port: 2007, user: 'ops', identityFiles: ['/home/op/.ssh/pair'] });
    expect(resolveSshTarget(ask('node12'), parsed, ENV)).toMatchObject({ user: 'ops', port: 2012, identitiesOnly: true });
    expect(resolveSshTarget(ask('node3'), parsed, ENV).identitiesOnly).toBe(false);
    expect(resolveSshTarget(ask('node5'), parsed, ENV).jumps.map((j) => j.hostName)).toEqual(['10.0.0.6']);
  });

  it('falls back to the whole file when Match blocks could match on other names', () => {
    const withMatch = `${FLEET}\nMatch host 10.0.0.9\n  User matched\n`;
    expect(parseSshConfig(withMatch).index).toBeNull();
    const target = resolveSshTarget(ask('node9'), parseSshConfig(withMatch), ENV);
    expect(target.user).toBe('ops');
    expect(target).toEqual(resolveAgainstWholeFile(ask('node9'), withMatch));
  });

  /** The same resolution with the index disabled: every section handed to the matcher. */
  function resolveAgainstWholeFile(request: SshTargetRequest, text: string) {
    return resolveSshTarget(request, { ...parseSshConfig(text), index: null }, ENV);
  }
});
