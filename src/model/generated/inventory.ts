/* Generated from schemas/inventory.schema.json by scripts/gen-types.mjs: edit the schema, then npm run gen:types. */

/**
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "Hosts".
 */
export type Hosts = {
  [k: string]: Vars | null;
} | null;
/**
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "Group".
 */
export type Group = {
  hosts?: Hosts;
  vars?: Vars | null;
  children?: {
    [k: string]: Group;
  } | null;
} | null;

/**
 * An Ansible-style YAML inventory: top-level groups (usually `all`), each with hosts, vars and children.
 */
export interface Inventory {
  [k: string]: Group;
}
/**
 * Variables; the ansible_* connection variables are typed, the rest are free for `{{ var }}` templates.
 *
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "Vars".
 */
export interface Vars {
  ansible_host?: string;
  ansible_port?: number | string;
  ansible_user?: string;
  ansible_ssh_private_key_file?: string;
  ansible_connection?: 'ssh' | 'local' | 'smart' | 'paramiko';
  ansible_become?: boolean | string;
  ansible_become_user?: string;
  ansible_become_password?: string;
  ansible_ssh_common_args?: string;
}
