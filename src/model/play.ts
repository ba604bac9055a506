// A play as loaded from a playbook file: the validated document plus the source position of every node.
import type { Play } from './generated/playbook.js';
import type { SourceRef } from './generated/plan.js';

export interface LoadedPlay {
  /** The play as written (validated against playbook.schema.json). */
  play: Play;
  /** Playbook file (as given on the command line). */
  file: string;
  /** Index of the play in its file. */
  index: number;
  /** JSON pointer inside this play (e.g. /sysctl/values/vm.swappiness, '' for the play) → where it is. */
  positions: Record<string, SourceRef>;
}

export interface Fleet {
  inventory: import('./inventory.js').Inventory;
  plays: LoadedPlay[];
  /** sha256 over the inventory, var files and playbooks read. */
  manifestDigest: string;
  /** Every file read, for code frames in diagnostics. */
  sources: Record<string, string>;
}
