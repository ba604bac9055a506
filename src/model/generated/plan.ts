/* Generated from schemas/plan.schema.json by scripts/gen-types.mjs: edit the schema, then npm run gen:types. */

/**
 * Which of the three values a change closes; running-kernel is for what only another kernel can give.
 *
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Layer".
 */
export type Layer = 'live' | 'persisted' | 'next-boot' | 'running-kernel';
/**
 * low: reversible, no reboot; medium: service impact or boot configuration; high: can leave the host unbootable (never automatic).
 *
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Risk".
 */
export type Risk = 'low' | 'medium' | 'high';
/**
 * A command as an argv array; never a shell string.
 *
 * @minItems 1
 *
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Argv".
 */
export type Argv = [string, ...string[]];

/**
 * A kernfleet plan: per host, the changes that close the gap between the playbook and the host, folded into ordered steps. `kernfleet plan --out` writes it; `kernfleet apply PLAN.json` applies it exactly.
 */
export interface Plan {
  /**
   * major.minor: minor = additive, major = breaking.
   */
  format_version: string;
  /**
   * kernfleet and its version.
   */
  tool: string;
  createdAt: string;
  /**
   * sha256 of the playbooks and inventory the plan was made from.
   */
  manifestDigest: string;
  /**
   * The playbook paths the plan was made from, as given on the command line: `kernfleet apply -i INV PLAN.json` loads them again (the digest must still match).
   */
  playbooks?: string[];
  /**
   * The inventory path the plan was made from, as given on the command line.
   */
  inventory?: string;
  hosts: HostPlan[];
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "HostPlan".
 */
export interface HostPlan {
  host: string;
  /**
   * error: the host could not be gathered or planned; skipped: a container or no applicable play.
   */
  status: 'ok' | 'error' | 'skipped';
  /**
   * The profile fingerprint the plan was made from ('' when not gathered).
   */
  fingerprint: string;
  changes: Change[];
  /**
   * In execution order: dependencies, then low → medium → high, reboot last.
   */
  steps: Step[];
  /**
   * Warnings (recommended options unmet, kernel below recommended) and errors for this host.
   */
  diagnostics: Diagnostic[];
  /**
   * How many desired items already hold.
   */
  satisfied: number;
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Change".
 */
export interface Change {
  /**
   * kind:name:action, e.g. module:vfio_pci:load, sysctl:vm.swappiness:live. Unique within a host.
   */
  id: string;
  /**
   * The domain.
   */
  area: 'kconfig' | 'kernel' | 'module' | 'sysctl' | 'cmdline' | 'boot';
  /**
   * What closes the gap.
   */
  action:
    | 'load'
    | 'unload'
    | 'reload'
    | 'persist'
    | 'set-live'
    | 'write-file'
    | 'rebuild-kernel'
    | 'upgrade-kernel'
    | 'update-bootloader'
    | 'rebuild-initramfs'
    | 'reboot'
    | 'none';
  /**
   * The item: a CONFIG_ symbol, module, module.param, sysctl key or kernel parameter.
   */
  subject: string;
  layer: Layer;
  /**
   * Value now (null: absent).
   */
  from: string | null;
  /**
   * Value wanted (null: absent/removed).
   */
  to: string | null;
  risk: Risk;
  /**
   * false for every high-risk change: apply runs it only after a typed confirmation.
   */
  autoExecute: boolean;
  /**
   * Whether a reboot is needed for it to take effect.
   */
  restart: 'none' | 'system';
  /**
   * Why this change is needed, in words an operator reads.
   */
  reason: string;
  /**
   * How to undo it, including from a failed boot.
   */
  rollback: string;
  /**
   * Change ids that must happen first.
   */
  dependsOn: string[];
  /**
   * Why it cannot be done on this host (no such module, container, WSL, ...); blocked changes get no step.
   */
  blocked?: string;
  source?: SourceRef;
}
/**
 * Where a desired value was declared.
 *
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "SourceRef".
 */
export interface SourceRef {
  file: string;
  line: number;
  col: number;
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Step".
 */
export interface Step {
  /**
   * kind:name, unique within a host, e.g. file:/etc/sysctl.d/99-kernfleet.conf, module:vfio_pci:load, bootloader:update, reboot.
   */
  id: string;
  /**
   * One line for people.
   */
  title: string;
  /**
   * Ids of the changes this step closes.
   */
  changes: string[];
  risk: Risk;
  autoExecute: boolean;
  restart: 'none' | 'system';
  /**
   * Commands run after the files are written, in order.
   */
  commands: Argv[];
  /**
   * Commands that must exit 0 afterwards.
   */
  verify: Argv[];
  /**
   * Files written (backed up first, atomically).
   */
  files: FileEdit[];
  rollback: string;
  /**
   * Needs root.
   */
  become: boolean;
  /**
   * For manual (high-risk) steps: the procedure, one line each.
   */
  runbook?: string[];
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "FileEdit".
 */
export interface FileEdit {
  /**
   * Absolute path on the host.
   */
  path: string;
  /**
   * Content now (null: the file does not exist).
   */
  before: string | null;
  /**
   * Content wanted (null: delete the file).
   */
  after: string | null;
  /**
   * Octal mode for a new file (existing files keep theirs).
   */
  mode?: string;
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Diagnostic".
 */
export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  /**
   * Stable kebab-case code, e.g. unknown-key, ssh-unreachable.
   */
  code: string;
  message: string;
  hint?: string;
  host?: string;
  source?: SourceRef;
}
