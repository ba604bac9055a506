// /etc/default/grub and /etc/default/grub.d/*.cfg: shell fragments sourced in that order. We evaluate
// the simple assignments (with $VAR / ${VAR} expansion) to know the effective values and which file
// line decides each, and edit exactly that line, keeping every other byte of the file.
import type { FileEntry } from '../model/index.js';

export interface GrubAssignment {
  name: string;
  /** Value after quote removal and expansion. */
  value: string;
  path: string;
  line: number;
  /** false when the line is not a plain assignment we can rewrite (command substitution, conditionals, append via other vars we cannot resolve...). */
  plain: boolean;
}

export interface GrubEvaluation {
  /** Variable → the assignment that decides its final value. */
  vars: Record<string, GrubAssignment>;
  /** Files in sourcing order (main file, then grub.d/*.cfg sorted). */
  order: string[];
}

export function evaluateGrub(files: FileEntry[]): GrubEvaluation {
  throw new Error('not implemented');
}

/**
 * Rewrites the assignment of `name` at `line` of `content` to `value` (quoted as the original was,
 * double quotes by default), or appends `NAME="value"` when line is null. Every other line is unchanged.
 */
export function setGrubVar(content: string, name: string, value: string, line: number | null): string {
  throw new Error('not implemented');
}
