import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBecomeSpec, buildInvocation, buildRemoteCommand, needsSudo, quoteArg, quoteArgv } from '../../../src/transport/quote.js';

/** Runs `printf '%s\0' <quoted args>` through a real shell and returns the arguments it saw. */
function roundTrip(shell: string, args: string[]): string[] {
  const result = spawnSync(shell, ['-c', `printf '%s\\0' ${quoteArgv(args)}`], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout.split('\0').slice(0, -1);
}

const NASTY = [
  '',
  ' ',
  "it's",
  "'",
  "''''",
  '"',
  '\\',
  '\\\\n',
  '$HOME',
  '${PATH}',
  '$(id)',
  '`id`',
  'a b\tc\nd\r\n',
  '*',
  '?',
  '[a-z]',
  '~',
  '~root',
  '{a,b}',
  '!',
  '!!',
  '#comment',
  'x=1',
  '-n',
  '--',
  ';rm -rf /',
  '&& true',
  '| cat',
  '> /tmp/x',
  '<<EOF',
  'ünïcødé ☃ 日本',
  '\u0001\u0007\u001b[31m\u007f',
  "a'b\"c\\d$e`f",
];

describe('quoteArg', () => {
  it.each(['sh', 'dash', 'bash'])('passes every nasty string through %s unchanged', (shell) => {
    // The nasty strings cover quoting, expansion, globbing, control and multibyte characters.
    expect(roundTrip(shell, NASTY)).toEqual(NASTY);
  });

  it('passes arbitrary strings through sh unchanged (property)', () => {
    // Random strings of any code point except NUL (which argv cannot carry) round-trip through sh.
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 20 }), (args) => {
        expect(roundTrip('sh', args)).toEqual(args);
      }),
      { numRuns: 60 },
    );
  }, 20_000);

  it('leaves plain words bare and quotes a leading assignment', () => {
    // A readable command line for logs, but `x=1` as a first word would be an assignment to sh.
    expect(quoteArgv(['modprobe', 'vfio_pci', '/etc/modprobe.d/kernfleet.conf'])).toBe('modprobe vfio_pci /etc/modprobe.d/kernfleet.conf');
    expect(quoteArg('x=1')).toBe("'x=1'");
    expect(quoteArg("it's")).toBe("'it'\\''s'");
  });

  it('refuses NUL bytes and empty argv', () => {
    // Neither can be represented in a POSIX command line.
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
    expect(() => quoteArgv([])).toThrow(/empty/);
  });
});

describe('buildBecomeSpec', () => {
  const inventory = { become: true, becomeUser: 'root', becomePassword: null };
  const nonce = (): string => 'n1';

  it('follows the inventory unless the exec says otherwise', () => {
    // ansible_become: true on the host; one exec opts out.
    expect(buildBecomeSpec(inventory, 'op', undefined, nonce)).toEqual({ become: true, becomeUser: 'root', root: false });
    expect(buildBecomeSpec(inventory, 'op', false, nonce).become).toBe(false);
    expect(buildBecomeSpec({ ...inventory, become: false }, 'op', true, nonce).become).toBe(true);
  });

  it('skips sudo when the login user already is the become user', () => {
    // Logging in as the target user, root or not, needs no privilege change.
    expect(buildBecomeSpec(inventory, 'root', true, nonce)).toEqual({ become: false, becomeUser: 'root', root: true });
    expect(buildBecomeSpec({ ...inventory, becomeUser: 'op' }, 'op', true, nonce).become).toBe(false);
  });

  it('asks for a nonce only when a password will actually be used', () => {
    // The password dialogue is set up per exec, never for commands that do not become.
    const withPassword = { ...inventory, becomePassword: 'pw' };
    expect(buildBecomeSpec(withPassword, 'op', true, nonce).passwordNonce).toBe('n1');
    expect(buildBecomeSpec(withPassword, 'op', false, nonce).passwordNonce).toBeUndefined();
    expect(buildBecomeSpec(withPassword, 'root', true, nonce).passwordNonce).toBeUndefined();
  });
});

describe('buildInvocation', () => {
  const plain = { become: false, becomeUser: 'root', root: false };

  it('runs argv as is and a script through sh -s with the script on stdin', () => {
    // No become: the command is untouched; a script becomes sh's input.
    expect(buildInvocation({ argv: ['uname', '-r'] }, plain)).toEqual({ argv: ['uname', '-r'], stdin: undefined, sudo: null });
    expect(buildInvocation({ script: 'echo hi\n' }, plain)).toEqual({ argv: ['sh', '-s'], stdin: 'echo hi\n', sudo: null });
  });

  it('passes a script with stdin of its own as sh -c so stdin stays the caller’s', () => {
    // The caller's bytes must reach the script, so the script cannot also be on stdin.
    const inv = buildInvocation({ script: 'cat > /tmp/x' }, plain, 'payload');
    expect(inv.argv).toEqual(['sh', '-c', 'cat > /tmp/x', 'sh']);
    expect(inv.stdin).toBe('payload');
  });

  it('wraps in sudo -n only when the login user is not already the become user', () => {
    // root becoming root needs nothing; a normal user, or root becoming someone else, needs sudo.
    expect(needsSudo({ become: true, becomeUser: 'root', root: true })).toBe(false);
    expect(buildInvocation({ argv: ['id'] }, { become: true, becomeUser: 'root', root: true }).argv).toEqual(['id']);
    expect(buildInvocation({ argv: ['id'] }, { become: true, becomeUser: 'root', root: false }).argv).toEqual(['sudo', '-n', '-u', 'root', '--', 'id']);
    expect(buildInvocation({ argv: ['id'] }, { become: true, becomeUser: 'nobody', root: true }).argv).toEqual(['sudo', '-n', '-u', 'nobody', '--', 'id']);
  });

  it('uses a nonce prompt and a start marker when a become password exists, and the marker wrapper really runs the command', () => {
    // The wrapper after `--` must print the marker on stderr and then exec the command with its arguments intact.
    const inv = buildInvocation({ argv: ['printf', '%s|', "a b", "c'd"] }, { become: true, becomeUser: 'root', root: false, passwordNonce: 'n0nce' });
    expect(inv.sudo).toEqual({ prompt: '[kernfleet-sudo-n0nce] password:', marker: 'kernfleet-become-n0nce' });
    expect(inv.argv.slice(0, 8)).toEqual(['sudo', '-k', '-S', '-p', '[kernfleet-sudo-n0nce] password:', '-u', 'root', '--']);
    const wrapped = inv.argv.slice(8);
    const run = spawnSync('sh', ['-c', quoteArgv(wrapped)], { encoding: 'utf8' });
    expect(run.stderr).toBe('kernfleet-become-n0nce\n');
    expect(run.stdout).toBe("a b|c'd|");
  });

  it('builds the remote command line that a shell runs as the same argv', () => {
    // The string given to ssh exec must expand back to the sudo-wrapped argv.
    const line = buildRemoteCommand({ argv: ['echo', '$(id)'] }, { become: true, becomeUser: 'root', root: false });
    expect(line).toBe("sudo -n -u root -- echo '$(id)'");
    expect(buildRemoteCommand({ script: 'true' }, plain)).toBe('sh -s');
  });
});
