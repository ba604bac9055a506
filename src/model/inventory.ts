// A host as the inventory describes it: how to reach it and its variables.
import type { SourceRef } from './generated/plan.js';

export interface Connection {
  /** ssh (ssh2 client) or local (this machine, no network). */
  kind: 'ssh' | 'local';
  /** ansible_host, or the inventory name; ~/.ssh/config may map it further. */
  address: string;
  /** ansible_port; null lets ~/.ssh/config or 22 decide. */
  port: number | null;
  /** ansible_user; null lets ~/.ssh/config or the local user decide. */
  user: string | null;
  /** ansible_ssh_private_key_file, ~ expanded; null: agent, ~/.ssh/config, default keys. */
  identityFile: string | null;
  /** ansible_become: run privileged commands through sudo when the login user is not root. */
  become: boolean;
  /** ansible_become_user (root). */
  becomeUser: string;
  /** ansible_become_password; never printed, never written to a plan or journal. */
  becomePassword: string | null;
}

export interface InventoryHost {
  /** Inventory name (what patterns and output use). */
  name: string;
  /** Every group the host is in, `all` and `ungrouped` included, parents before children. */
  groups: string[];
  /** Merged variables in Ansible precedence: all < parent groups < child groups < group_vars < host < host_vars. */
  vars: Record<string, unknown>;
  connection: Connection;
  /** Where the host was first declared. */
  source: SourceRef;
}

export interface Inventory {
  /** Path the inventory was loaded from. */
  path: string;
  /** Hosts in declaration order. */
  hosts: InventoryHost[];
  /** Group name → direct hosts and child groups. */
  groups: Record<string, { hosts: string[]; children: string[] }>;
}
