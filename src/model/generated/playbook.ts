/* Generated from schemas/playbook.schema.json by scripts/gen-types.mjs: edit the schema, then npm run gen:types. */

/**
 * What a CONFIG_ option must be: y (built in), m (module; y also satisfies), n (off), ym (either), or a literal value such as 1000.
 */
export type ConfigWant = string | number;
/**
 * A kernel module name; `-` and `_` are the same (vfio-pci = vfio_pci).
 */
export type ModuleName = string;
/**
 * A value written into a kernel file or command: letters, digits and . , : / + - _ = @ % and single spaces; or a `{{ var }}` template.
 */
export type SafeValue = string;
export type ScalarValue = SafeValue | number;
/**
 * A kernfleet playbook: a list of plays, each declaring the kernel state of the hosts its pattern selects.
 */
export type Playbook = Play[];

export interface Play {
  name: string;
  /**
   * Ansible host pattern: `all`, `group`, `a:b` (union), `a:&b` (intersection), `a:!b` (exclusion), globs.
   */
  hosts: string;
  when?: When;
  /**
   * Play variables, overridden by inventory host vars.
   */
  vars?: {
    [k: string]: string | number | boolean;
  };
  kernel?: Kernel;
  modules?: Modules;
  sysctl?: Sysctl;
  cmdline?: Cmdline;
}
/**
 * Facts that must match for the play to apply to a host, e.g. `cpu.vendor: intel`.
 */
export interface When {
  'cpu.vendor'?: 'intel' | 'amd' | 'other';
  'os.family'?: 'debian' | 'rhel' | 'arch' | 'alpine' | 'suse' | 'unknown';
  'os.id'?: string;
  'boot.loader'?: 'grub' | 'grub-bls' | 'systemd-boot' | 'extlinux' | 'none';
}
export interface Kernel {
  version?: {
    /**
     * Below this the host needs a kernel upgrade (a blocked change).
     */
    minimum?: string | number;
    /**
     * Below this the plan carries a warning.
     */
    recommended?: string | number;
  };
  config?: {
    /**
     * Unmet: a kernel rebuild (high risk, never automatic).
     */
    required?: {
      [k: string]: ConfigWant;
    };
    recommended?: ConfigOptions;
  };
}
/**
 * Unmet: a warning.
 */
export interface ConfigOptions {
  [k: string]: ConfigWant;
}
export interface Modules {
  /**
   * Modules that must be loaded now and at every boot.
   */
  load?: ModuleName[];
  /**
   * Managed file in /etc/modules-load.d/ (Alpine: /etc/modules) that persists `load`; default kernfleet.conf.
   */
  persist?: string;
  /**
   * Module parameters: module → parameter → value, written as `options M k=v` in a managed /etc/modprobe.d file.
   */
  options?: {
    [k: string]: {
      [k: string]: SafeValue | number | boolean;
    };
  };
  /**
   * Managed file in /etc/modprobe.d/ for options; default kernfleet-options.conf.
   */
  options_file?: string;
  /**
   * Modules that must never load: `blacklist M` + `install M /bin/false`, unloaded if loaded.
   */
  blacklist?: ModuleName[];
  /**
   * Managed file in /etc/modprobe.d/ for blacklists; default kernfleet-blacklist.conf.
   */
  blacklist_file?: string;
}
export interface Sysctl {
  /**
   * Managed file in /etc/sysctl.d/; default 99-kernfleet.conf.
   */
  file?: string;
  /**
   * sysctl key → value, set live and persisted; or `{ min: N }`: at least N, a higher value is kept.
   */
  values?: {
    [k: string]: ScalarValue | SysctlFloor;
  };
}
/**
 * A lower bound: the host holds when its value is at least `min` (compared as integers), and a higher value is left alone. For limits the kernel or systemd may already raise beyond what a guide asks (fs.file-max, fs.inotify.max_user_watches).
 */
export interface SysctlFloor {
  /**
   * The floor: a non-negative integer, a string of digits (for values beyond 2^53, such as 9223372036854775807), or a `{{ var }}` template that must substitute to digits.
   */
  min: number | string;
}
export interface Cmdline {
  /**
   * Kernel parameters: key → value, or true for a bare flag (e.g. `quiet: true`).
   */
  set?: {
    [k: string]: SafeValue | number | true;
  };
  /**
   * Kernel parameters to remove wherever the deciding bootloader file sets them. Parameters kernfleet added earlier and no play sets any more are removed too, through the host's ledger.
   */
  remove?: string[];
  /**
   * Which GRUB variable receives new parameters: GRUB_CMDLINE_LINUX (every entry, default) or GRUB_CMDLINE_LINUX_DEFAULT (normal entries only).
   */
  target?: 'GRUB_CMDLINE_LINUX' | 'GRUB_CMDLINE_LINUX_DEFAULT';
}
