// Pure: plays + inventory → the DesiredState of one host. Normalises as it goes (CONFIG_ prefix,
// module names with _, values as strings, Y/N booleans, bare cmdline flags, .conf file names) and
// reports conflicts between plays with both places named.
import type { CmdlineTarget, Diagnostic, DesiredState, Fleet, HostFacts, LoadedPlay, SourceRef } from '../model/index.js';
import type { Play, When } from '../model/generated/playbook.js';
import { normaliseModule } from '../formats/module-name.js';
import { matchHosts } from '../inventory/index.js';
import { formatSource, sortDiagnostics } from './diagnostics.js';
import { joinPointer } from './locate.js';
import { addClaim, findOverlaps, type ClaimMap } from './merge.js';
import { didYouMean } from './suggest.js';
import { substituteTemplates, type ValueRule } from './template.js';

const DEFAULT_FILES = {
  persist: 'kernfleet.conf',
  options_file: 'kernfleet-options.conf',
  blacklist_file: 'kernfleet-blacklist.conf',
  sysctl_file: '99-kernfleet.conf',
};

/** Every claim of every applicable play, keyed the way DesiredState is. */
interface Claims {
  version: ClaimMap<string>;
  required: ClaimMap<string>;
  recommended: ClaimMap<string>;
  load: ClaimMap<true>;
  blacklist: ClaimMap<true>;
  options: ClaimMap<string>;
  settings: ClaimMap<string>;
  sysctl: ClaimMap<{ value: string; atLeast: boolean }>;
  cmdlineSet: ClaimMap<{ value: string | null; target: CmdlineTarget }>;
  cmdlineRemove: ClaimMap<true>;
}

const playMatches = new WeakMap<Fleet, Map<string, Set<string>>>();

/** Hosts a play pattern selects, cached per fleet (patterns repeat across every host). */
export function hostsOfPattern(fleet: Fleet, pattern: string): Set<string> {
  let cache = playMatches.get(fleet);
  if (!cache) playMatches.set(fleet, (cache = new Map()));
  let hosts = cache.get(pattern);
  if (!hosts) cache.set(pattern, (hosts = new Set(matchHosts(fleet.inventory, pattern).hosts)));
  return hosts;
}

export function whenHolds(when: When | undefined, facts: HostFacts | null): boolean {
  if (!when || !facts) return true;
  return (Object.keys(when) as (keyof When)[]).every((key) => when[key] === undefined || when[key] === facts[key]);
}

export function resolveHostState(fleet: Fleet, host: string, facts: HostFacts | null): { desired: DesiredState; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const inventoryHost = fleet.inventory.hosts.find((h) => h.name === host);
  if (!inventoryHost) {
    const hint = didYouMean(host, fleet.inventory.hosts.map((h) => h.name));
    diagnostics.push({ severity: 'error', code: 'unknown-host', message: `host "${host}" is not in the inventory`, host, ...(hint ? { hint } : {}) });
  }
  const plays = fleet.plays.filter((lp) => hostsOfPattern(fleet, lp.play.hosts).has(host) && whenHolds(lp.play.when, facts));
  const claims: Claims = {
    version: new Map(), required: new Map(), recommended: new Map(), load: new Map(), blacklist: new Map(),
    options: new Map(), settings: new Map(), sysctl: new Map(), cmdlineSet: new Map(), cmdlineRemove: new Map(),
  };
  // inventory_hostname is Ansible's magic variable for the host's inventory name.
  for (const lp of plays) collectPlay(lp, { ...lp.play.vars, ...inventoryHost?.vars, inventory_hostname: host }, host, claims, diagnostics);
  reportCrossConflicts(claims, host, diagnostics);
  return { desired: buildDesired(host, plays, claims), diagnostics: sortDiagnostics(diagnostics) };
}

/** What the per-domain collectors need from the play being read. */
interface PlayContext {
  claims: Claims;
  when: When | undefined;
  /** Position of a pointer inside the play (the play itself when the node is unknown). */
  at(pointer: string): SourceRef;
  /** Records a value, reporting a conflict with an earlier play. */
  claim<T>(map: ClaimMap<T>, key: string, value: T, pointer: string, label: string): void;
  /** Stringifies a value, substituting templates; null (and a diagnostic) when that fails. */
  expand(raw: string | number | boolean, pointer: string, rule: ValueRule): string | null;
  /** Reports an error at a pointer inside the play. */
  report(code: string, message: string, pointer: string, hint?: string): void;
}

function collectPlay(lp: LoadedPlay, vars: Record<string, unknown>, host: string, claims: Claims, diagnostics: Diagnostic[]): void {
  const when = lp.play.when;
  const at = (pointer: string): SourceRef => lp.positions[pointer] ?? lp.positions[''] ?? { file: lp.file, line: 1, col: 1 };
  const context: PlayContext = {
    claims,
    when,
    at,
    claim(map, key, value, pointer, label) {
      const incoming = { value, source: at(pointer), when };
      const earlier = addClaim(map, key, incoming);
      if (!earlier) return;
      let [before, after] = [showValue(earlier.value), showValue(value)];
      // Same parameter value, different GRUB variable: then the variables are what differs.
      if (before === after) [before, after] = [showTarget(earlier.value), showTarget(value)];
      diagnostics.push(conflict(`${label} is ${before} at ${formatSource(earlier.source)} but ${after} at ${formatSource(incoming.source)} for host ${host}`, incoming.source, host));
    },
    expand(raw, pointer, rule) {
      if (typeof raw !== 'string') return String(raw);
      const result = substituteTemplates(raw, vars, rule);
      if (result.ok) return result.value;
      const hint = result.variable !== undefined && result.code === 'undefined-variable' ? didYouMean(result.variable, Object.keys(vars)) : undefined;
      context.report(result.code, result.message, pointer, hint);
      return null;
    },
    report(code, message, pointer, hint) {
      diagnostics.push({ severity: 'error', code, message: `${message} for host ${host}`, host, source: at(pointer), ...(hint ? { hint } : {}) });
    },
  };
  collectKernel(lp.play, context);
  collectModules(lp.play, context);
  collectSysctl(lp.play, context);
  collectCmdline(lp.play, context);
}

function collectKernel(play: Play, { claims, claim }: PlayContext): void {
  for (const level of ['minimum', 'recommended'] as const) {
    const value = play.kernel?.version?.[level];
    if (value !== undefined) claim(claims.version, level, String(value), `/kernel/version/${level}`, `kernel ${level} version`);
  }
  for (const level of ['required', 'recommended'] as const) {
    for (const [key, want] of Object.entries(play.kernel?.config?.[level] ?? {})) {
      const symbol = key.startsWith('CONFIG_') ? key : `CONFIG_${key}`;
      const text = String(want);
      const normalised = /^(y|m|n|ym|my)$/i.test(text) ? (text.toLowerCase() === 'my' ? 'ym' : text.toLowerCase()) : text;
      claim(claims[level], symbol, normalised, joinPointer(`/kernel/config/${level}`, key), `${level} kernel config ${symbol}`);
    }
  }
}

function collectModules(play: Play, { claims, claim, expand, at, when }: PlayContext): void {
  const modules = play.modules;
  for (const list of ['load', 'blacklist'] as const) {
    modules?.[list]?.forEach((raw, i) => {
      const name = expand(raw, `/modules/${list}/${i}`, 'module');
      const module = name === null ? null : normaliseModule(name);
      // Listing a module twice is harmless: the first place that asked for it is kept.
      if (module !== null && !claims[list].has(module)) claims[list].set(module, { value: true, source: at(`/modules/${list}/${i}`), when });
    });
  }
  for (const [rawModule, params] of Object.entries(modules?.options ?? {})) {
    const module = normaliseModule(rawModule);
    for (const [param, raw] of Object.entries(params)) {
      const pointer = joinPointer(joinPointer('/modules/options', rawModule), param);
      // Module parameters print booleans as Y/N in /sys/module/*/parameters; compare in that form.
      const value = typeof raw === 'boolean' ? (raw ? 'Y' : 'N') : expand(raw, pointer, 'safe');
      if (value !== null) claim(claims.options, `${module}/${param}`, value, pointer, `module ${module} option ${param}`);
    }
  }
  const files: [key: string, value: string | undefined, pointer: string, label: string][] = [
    ['persist', modules?.persist, '/modules/persist', 'modules-load.d file'],
    ['options_file', modules?.options_file, '/modules/options_file', 'module options file'],
    ['blacklist_file', modules?.blacklist_file, '/modules/blacklist_file', 'module blacklist file'],
  ];
  for (const [key, value, pointer, label] of files) claimFileName(key, value, pointer, label, claims, claim);
}

function collectSysctl(play: Play, context: PlayContext): void {
  const { claims, claim, expand } = context;
  claimFileName('sysctl_file', play.sysctl?.file, '/sysctl/file', 'sysctl file', claims, claim);
  for (const [key, raw] of Object.entries(play.sysctl?.values ?? {})) {
    const pointer = joinPointer('/sysctl/values', key);
    const atLeast = typeof raw === 'object';
    const value = atLeast ? expandFloor(raw.min, joinPointer(pointer, 'min'), context) : expand(raw, pointer, 'safe');
    if (value !== null) claim(claims.sysctl, key, { value, atLeast }, pointer, `sysctl ${key}`);
  }
}

/**
 * A floor as canonical digits (no leading zeros, so 0100 and 100 are one floor); null when it is not one.
 * The loader keeps numbers as spelled, so LONG_MAX arrives exact, and 1e6 or 0x10 (integers to the
 * schema) arrive as written and are refused here rather than guessed.
 */
function expandFloor(raw: string | number, pointer: string, { expand, report }: PlayContext): string | null {
  const digits = expand(raw, pointer, 'integer');
  if (digits === null) return null;
  if (!/^[0-9]+$/.test(digits)) {
    report('invalid-floor', `min ${digits} is not written in decimal digits`, pointer, `write the floor as plain digits, e.g. min: 1000000`);
    return null;
  }
  return BigInt(digits).toString();
}

function collectCmdline(play: Play, { claims, claim, expand, at, when }: PlayContext): void {
  // Each play's target applies to its own parameters, so one host may feed both GRUB variables.
  const target: CmdlineTarget = play.cmdline?.target ?? 'GRUB_CMDLINE_LINUX';
  for (const [key, raw] of Object.entries(play.cmdline?.set ?? {})) {
    const pointer = joinPointer('/cmdline/set', key);
    const value = raw === true ? null : expand(raw, pointer, 'safe');
    if (raw === true || value !== null) claim(claims.cmdlineSet, key, { value, target }, pointer, `kernel parameter ${key}`);
  }
  play.cmdline?.remove?.forEach((key, i) => {
    if (!claims.cmdlineRemove.has(key)) claims.cmdlineRemove.set(key, { value: true, source: at(`/cmdline/remove/${i}`), when });
  });
}

function claimFileName(key: string, value: string | undefined, pointer: string, label: string, claims: Claims, claim: PlayContext['claim']): void {
  if (value !== undefined) claim(claims.settings, key, value.endsWith('.conf') ? value : `${value}.conf`, pointer, label);
}

function reportCrossConflicts(claims: Claims, host: string, diagnostics: Diagnostic[]): void {
  for (const [name, load, blacklist] of findOverlaps(claims.load, claims.blacklist)) {
    const [first, second] = orderBySource(load.source, blacklist.source);
    diagnostics.push(conflict(`module ${name} is loaded at ${formatSource(load.source)} but blacklisted at ${formatSource(blacklist.source)} for host ${host}`, second ?? first, host));
  }
  for (const [key, set, remove] of findOverlaps(claims.cmdlineSet, claims.cmdlineRemove)) {
    const [first, second] = orderBySource(set.source, remove.source);
    diagnostics.push(conflict(`kernel parameter ${key} is set at ${formatSource(set.source)} but removed at ${formatSource(remove.source)} for host ${host}`, second ?? first, host));
  }
}

function buildDesired(host: string, plays: LoadedPlay[], claims: Claims): DesiredState {
  const withSource = <T extends object>(map: ClaimMap<T>): Record<string, T & { source: SourceRef }> =>
    Object.fromEntries([...map].map(([key, c]) => [key, { ...c.value, source: c.source }]));
  const sourcesOf = (map: ClaimMap<true>): Record<string, SourceRef> => Object.fromEntries([...map].map(([key, c]) => [key, c.source]));
  const config: DesiredState['kernel']['config'] = {};
  for (const [symbol, c] of claims.recommended) config[symbol] = { want: c.value, level: 'recommended', source: c.source };
  // A symbol both required and recommended is required: the stricter level decides.
  for (const [symbol, c] of claims.required) config[symbol] = { want: c.value, level: 'required', source: c.source };
  const options: DesiredState['modules']['options'] = {};
  for (const [key, c] of claims.options) {
    const [module = '', param = ''] = key.split('/');
    (options[module] ??= {})[param] = { value: c.value, source: c.source };
  }
  const version = (level: string) => {
    const c = claims.version.get(level);
    return c ? { value: c.value, source: c.source } : null;
  };
  const setting = (key: string, fallback: string) => claims.settings.get(key)?.value ?? fallback;
  return {
    host,
    plays: plays.map((lp) => lp.play.name),
    kernel: { minimum: version('minimum'), recommended: version('recommended'), config },
    modules: {
      load: sourcesOf(claims.load),
      persistFile: setting('persist', DEFAULT_FILES.persist),
      options,
      optionsFile: setting('options_file', DEFAULT_FILES.options_file),
      blacklist: sourcesOf(claims.blacklist),
      blacklistFile: setting('blacklist_file', DEFAULT_FILES.blacklist_file),
    },
    sysctl: {
      file: setting('sysctl_file', DEFAULT_FILES.sysctl_file),
      values: withSource(claims.sysctl),
    },
    cmdline: {
      set: withSource(claims.cmdlineSet),
      remove: sourcesOf(claims.cmdlineRemove),
    },
  };
}

function conflict(message: string, source: SourceRef, host: string): Diagnostic {
  return { severity: 'error', code: 'conflict', message, host, source };
}

function orderBySource(a: SourceRef, b: SourceRef): [SourceRef, SourceRef] {
  const later = a.file === b.file ? a.line > b.line || (a.line === b.line && a.col > b.col) : a.file > b.file;
  return later ? [b, a] : [a, b];
}

function showValue(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const inner = value as { value: unknown; atLeast?: boolean };
    return inner.atLeast === true ? `at least ${showValue(inner.value)}` : showValue(inner.value);
  }
  if (value === null) return 'a bare flag';
  const text = String(value);
  return text === '' || /\s/.test(text) ? `"${text}"` : text;
}

function showTarget(value: unknown): string {
  const target = (value as { target?: string } | null)?.target;
  return target === undefined ? showValue(value) : `${showValue(value)} in ${target}`;
}
