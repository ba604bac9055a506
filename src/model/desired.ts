// The desired kernel state of one host, after inventory vars, patterns and play merging.
// Internal (not a user-facing document): it is derived from playbook.schema.json's types by the
// resolver, and every value remembers where it was declared so output can cite `file:line`.
import type { SourceRef } from './generated/plan.js';

export type { SourceRef };

/** A value and the place in a playbook that asked for it. */
export interface Sourced<T> {
  value: T;
  source: SourceRef;
}

/** What a CONFIG_ symbol must be: 'y', 'm' (y satisfies), 'n', 'ym' (either), or a literal value. */
export type ConfigWant = string;

export interface DesiredConfigOption {
  /** 'y' | 'm' | 'n' | 'ym' | literal (e.g. '1000'). */
  want: ConfigWant;
  /** required: unmet means a kernel rebuild; recommended: unmet means a warning. */
  level: 'required' | 'recommended';
  source: SourceRef;
}

/** One wanted sysctl: an exact value, or a floor the host may exceed. */
export interface DesiredSysctl {
  /**
   * Exact: the value as a string (multi-token values such as tcp_rmem keep their spaces).
   * Floor (atLeast): a non-negative integer in decimal digits, without leading zeros.
   */
  value: string;
  /**
   * true: `{ min: N }` in the playbook: the host holds when its value is >= value (compared as
   * integers, beyond 2^53 too), and a higher value is never lowered. false: the value must match exactly.
   */
  atLeast: boolean;
  /** Where the playbook asks for it. */
  source: SourceRef;
}

export type CmdlineTarget = 'GRUB_CMDLINE_LINUX' | 'GRUB_CMDLINE_LINUX_DEFAULT';

export interface DesiredCmdlineParam {
  /** null: a bare flag. */
  value: string | null;
  /** Where a parameter the host does not have yet is added (the play's `cmdline.target`, default GRUB_CMDLINE_LINUX). */
  target: CmdlineTarget;
  source: SourceRef;
}

export interface DesiredState {
  /** Inventory host name. */
  host: string;
  /** Names of the plays that apply to this host, in playbook order. */
  plays: string[];
  kernel: {
    /** Below it: blocked "kernel upgrade required". */
    minimum: Sourced<string> | null;
    /** Below it: a warning. */
    recommended: Sourced<string> | null;
    /** Keyed by the full symbol name, always with the CONFIG_ prefix. */
    config: Record<string, DesiredConfigOption>;
  };
  modules: {
    /** Normalised module name (- → _) → where it was asked. */
    load: Record<string, SourceRef>;
    /** Bare file name in /etc/modules-load.d, always ending in .conf (e.g. debvisor.conf). */
    persistFile: string;
    /** Normalised module → parameter → value. Booleans are written as the kernel prints them (Y/N). */
    options: Record<string, Record<string, Sourced<string>>>;
    /** Bare file name in /etc/modprobe.d, ending in .conf. */
    optionsFile: string;
    /** Normalised module name → where it was asked. */
    blacklist: Record<string, SourceRef>;
    /** Bare file name in /etc/modprobe.d, ending in .conf. */
    blacklistFile: string;
  };
  sysctl: {
    /** Bare file name in /etc/sysctl.d, ending in .conf. */
    file: string;
    /** Dotted key (net.ipv4.ip_forward) → the exact value or the floor wanted. */
    values: Record<string, DesiredSysctl>;
  };
  cmdline: {
    /**
     * Parameter → value (null is a bare flag, `quiet`) and the GRUB variable a NEW parameter goes to
     * (each play has its own `target`, so one host can have parameters for both variables).
     */
    set: Record<string, DesiredCmdlineParam>;
    /** Parameters to remove. */
    remove: Record<string, SourceRef>;
  };
}

/** Facts a play's `when` can test, taken from the gathered profile. */
export interface HostFacts {
  'cpu.vendor': 'intel' | 'amd' | 'other';
  'os.family': string;
  'os.id': string;
  'boot.loader': string;
}
