// Kernel command lines: `key=value` and bare flags, order preserved.

export interface CmdlineParam {
  key: string;
  /** null for a bare flag. */
  value: string | null;
}

export function parseCmdline(text: string): CmdlineParam[] {
  throw new Error('not implemented');
}

/** The value a key has in a command line (the last occurrence wins, as in the kernel); undefined: absent. */
export function cmdlineValue(params: CmdlineParam[], key: string): string | null | undefined {
  throw new Error('not implemented');
}

/**
 * Replaces values in place, appends new parameters, removes the named ones; every other parameter and
 * its order is kept. `set` value null = bare flag.
 */
export function editCmdline(text: string, set: Record<string, string | null>, remove: string[]): string {
  throw new Error('not implemented');
}
