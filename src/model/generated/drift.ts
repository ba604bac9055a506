/* Generated from schemas/drift.schema.json by scripts/gen-types.mjs: edit the schema, then npm run gen:types. */

/**
 * The domain, as in a plan's changes.
 *
 * This interface was referenced by `DriftReport`'s JSON-Schema
 * via the `definition` "DriftArea".
 */
export type DriftArea = 'kconfig' | 'kernel' | 'module' | 'sysctl' | 'cmdline' | 'boot';
/**
 * Which of the three values differs (running-kernel: only another kernel can give it).
 *
 * This interface was referenced by `DriftReport`'s JSON-Schema
 * via the `definition` "DriftLayer".
 */
export type DriftLayer = 'live' | 'persisted' | 'next-boot' | 'running-kernel';
/**
 * changed-since-apply: kernfleet's last apply left the wanted value and it changed since (by hand); never-applied: no apply of this value is recorded on the host; shadowed: a later sysctl.d file overrides kernfleet's; dropin-override: a GRUB drop-in overrides the command line; module-unloaded: a module kernfleet loaded is gone; reboot-pending: configured for the next boot, not running yet; kernel-changed: another kernel or kernel config than at the last apply; unknown: none of these explains it.
 *
 * This interface was referenced by `DriftReport`'s JSON-Schema
 * via the `definition` "DriftCause".
 */
export type DriftCause =
  | 'changed-since-apply'
  | 'never-applied'
  | 'shadowed'
  | 'dropin-override'
  | 'module-unloaded'
  | 'reboot-pending'
  | 'kernel-changed'
  | 'unknown';

/**
 * A kernfleet drift report: per host, every item whose live, persisted or next-boot value differs from the playbooks, and why. `kernfleet drift --format json` writes it; it is read-only (nothing was changed).
 */
export interface DriftReport {
  /**
   * major.minor: minor = additive, major = breaking.
   */
  format_version: string;
  /**
   * kernfleet and its version.
   */
  tool: string;
  /**
   * ISO 8601 time of the check.
   */
  checkedAt: string;
  /**
   * sha256 of the playbooks and inventory.
   */
  manifestDigest: string;
  hosts: DriftHost[];
}
/**
 * This interface was referenced by `DriftReport`'s JSON-Schema
 * via the `definition` "DriftHost".
 */
export interface DriftHost {
  host: string;
  /**
   * error: not gathered, or an error diagnostic; skipped: a container (kernel operations do not apply).
   */
  status: 'clean' | 'drifted' | 'error' | 'skipped';
  /**
   * The gathered profile's fingerprint (absent when not gathered).
   */
  fingerprint?: string;
  /**
   * Digest of this host's desired state now (compare with lastApply.desiredDigest).
   */
  desiredDigest?: string;
  findings: DriftFinding[];
  diagnostics: DriftDiagnostic[];
  lastApply?: DriftLastApply;
}
/**
 * This interface was referenced by `DriftReport`'s JSON-Schema
 * via the `definition` "DriftFinding".
 */
export interface DriftFinding {
  /**
   * area:subject:action, the id of the plan change that would close it. Unique within a host.
   */
  id: string;
  area: DriftArea;
  /**
   * The item: a CONFIG_ symbol, module, module.param, sysctl key, kernel parameter or managed file.
   */
  subject: string;
  layer: DriftLayer;
  /**
   * What the playbooks want (null: absent/removed).
   */
  expected: string | null;
  /**
   * What the host has in that layer (null: absent).
   */
  actual: string | null;
  cause: DriftCause;
  /**
   * Why, in words an operator reads.
   */
  detail: string;
  source?: DriftSourceRef;
  declared?: DriftSourceRef1;
}
/**
 * The host file and line responsible (the shadowing sysctl.d file, the GRUB file that decides the command line).
 */
export interface DriftSourceRef {
  file: string;
  line: number;
  col?: number;
}
/**
 * Where the playbooks declare the wanted value.
 */
export interface DriftSourceRef1 {
  file: string;
  line: number;
  col?: number;
}
/**
 * Same shape as a plan's diagnostics.
 *
 * This interface was referenced by `DriftReport`'s JSON-Schema
 * via the `definition` "DriftDiagnostic".
 */
export interface DriftDiagnostic {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  hint?: string;
  host?: string;
  source?: DriftSourceRef2;
}
/**
 * A file and line: on the host (the file that shadows or overrides) or in a playbook (where the value was declared).
 *
 * This interface was referenced by `DriftReport`'s JSON-Schema
 * via the `definition` "DriftSourceRef".
 */
export interface DriftSourceRef2 {
  file: string;
  line: number;
  col?: number;
}
/**
 * The last apply recorded on the host (/var/lib/kernfleet/ledger.json last_apply).
 *
 * This interface was referenced by `DriftReport`'s JSON-Schema
 * via the `definition` "DriftLastApply".
 */
export interface DriftLastApply {
  /**
   * Run id of the apply.
   */
  run: string;
  /**
   * ISO 8601 time the apply finished.
   */
  at: string;
  /**
   * Digest of the desired state that apply applied.
   */
  desiredDigest: string;
  /**
   * The desired state differs from the one applied then (the playbooks or inventory changed since).
   */
  playbookChanged: boolean;
}
