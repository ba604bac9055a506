// The one place an argv becomes shell text, and where sudo is wrapped around a command. Pure.
//
// We quote by hand instead of with shell-quote: its output mixes double quotes and backslash escapes
// depending on content, which is correct for POSIX sh but harder to reason about for every byte. A
// single-quoted word has exactly one rule (nothing inside is special; `'` is written `'\''`), so
// any byte string except NUL (which argv cannot hold anyway) survives a POSIX shell unchanged.
import type { Connection } from '../model/inventory.js';
import type { Command } from './types.js';

/** Words made only of these characters mean the same quoted or not, in any position. */
const BARE_SAFE = /^[A-Za-z0-9_@%+:,./-]+$/;

/** One argument as a POSIX sh word. */
export function quoteArg(arg: string): string {
  if (arg.includes('\0')) throw new TypeError('an argument cannot contain a NUL byte');
  if (BARE_SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one POSIX sh command line. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('cannot quote an empty argv');
  return argv.map(quoteArg).join(' ');
}

export interface BecomeSpec {
  /** Run the command as becomeUser. */
  become: boolean;
  becomeUser: string;
  /** The login user is root: becoming root needs no sudo. */
  root: boolean;
  /**
   * Present when a become password is configured: sudo is run with -S and a prompt/marker pair made
   * of this nonce, so the password is typed only when sudo asks (never into the command's stdin).
   */
  passwordNonce?: string;
}

/** sudo's password dialogue: the prompt it prints when it wants the password, and the line our wrapper prints once the command starts. */
export interface SudoDialogue {
  prompt: string;
  marker: string;
}

/** What to start and what to feed it. */
export interface Invocation {
  argv: string[];
  /** Bytes for the command's stdin (the script for `sh -s`, or the caller's stdin). */
  stdin: string | Buffer | undefined;
  /** Set when sudo may ask for a password: stdin must wait for the marker. */
  sudo: SudoDialogue | null;
}

/**
 * The become decision for one exec: the exec's own flag, else the inventory's ansible_become; no
 * sudo when the login user already is the become user. nonce() is only called when a password exists.
 */
export function buildBecomeSpec(
  connection: Pick<Connection, 'become' | 'becomeUser' | 'becomePassword'>,
  loginUser: string,
  requested: boolean | undefined,
  nonce: () => string,
): BecomeSpec {
  const become = (requested ?? connection.become) && loginUser !== connection.becomeUser;
  return {
    become,
    becomeUser: connection.becomeUser,
    root: loginUser === 'root',
    ...(become && connection.becomePassword !== null ? { passwordNonce: nonce() } : {}),
  };
}

/** Whether sudo is needed at all for this spec. */
export function needsSudo(spec: BecomeSpec): boolean {
  return spec.become && !(spec.root && spec.becomeUser === 'root');
}

/**
 * Turns a command into what runs: argv directly; a script through `sh -s` with the script on stdin
 * (or `sh -c` when the caller has stdin of its own); wrapped in sudo when becoming another user.
 */
export function buildInvocation(command: Command, spec: BecomeSpec, stdin?: string | Buffer): Invocation {
  const inner = buildInnerInvocation(command, stdin);
  if (!needsSudo(spec)) return { ...inner, sudo: null };
  if (spec.passwordNonce === undefined) {
    return { argv: ['sudo', '-n', '-u', spec.becomeUser, '--', ...inner.argv], stdin: inner.stdin, sudo: null };
  }
  const sudo: SudoDialogue = {
    prompt: `[kernfleet-sudo-${spec.passwordNonce}] password:`,
    marker: `kernfleet-become-${spec.passwordNonce}`,
  };
  // -k: never ride on cached credentials, so the dialogue is the same every time; the wrapper
  // announces on stderr that sudo is done, after which stdin belongs to the command.
  const argv = [
    'sudo', '-k', '-S', '-p', sudo.prompt, '-u', spec.becomeUser, '--',
    'sh', '-c', 'printf "%s\\n" "$0" >&2; exec "$@"', sudo.marker, ...inner.argv,
  ];
  return { argv, stdin: inner.stdin, sudo };
}

function buildInnerInvocation(command: Command, stdin: string | Buffer | undefined): Omit<Invocation, 'sudo'> {
  if ('argv' in command) {
    if (command.argv.length === 0) throw new TypeError('cannot run an empty argv');
    return { argv: [...command.argv], stdin };
  }
  if (stdin !== undefined) return { argv: ['sh', '-c', command.script, 'sh'], stdin };
  return { argv: ['sh', '-s'], stdin: command.script };
}

/** The string sent to the remote login shell for a command (its stdin comes from buildInvocation). */
export function buildRemoteCommand(command: Command, spec: BecomeSpec, stdin?: string | Buffer): string {
  return quoteArgv(buildInvocation(command, spec, stdin).argv);
}
