// Modules: what is loaded, what each asked module is (built in, in modules.dep, an alias), live
// parameters, and the modules-load.d / modprobe.d layers. Sections: `loaded` (names from /proc/modules),
// `modstate` (`NAME builtin dep alias` as 0/1), `params` (framed sysfs values with ls lines),
// `modules-load` and `modprobe` (framed files).
import { MODPROBE_DIRS } from '../formats/modprobe-d.js';
import { normaliseModule } from '../formats/module-name.js';
import { ETC_MODULES, MODULES_LOAD_DIRS } from '../formats/modules-load-d.js';
import type { HostProfile } from '../model/index.js';
import type { ProbeRequest } from './request.js';
import { fileValue, ProbeParseError, parseLsLine, presentFiles, requireSection, type ProbeSections } from './sections.js';
import { dirCommand, fileCommand, quoteSh, sectionLine } from './shell.js';

const NAME = /^[A-Za-z0-9_-]+$/;

export type ModuleFacts = Pick<HostProfile['modules'], 'loaded' | 'builtin' | 'available' | 'params' | 'paramsWritable' | 'loadFiles' | 'modprobeFiles'>;

function checkedModules(request: ProbeRequest): string[] {
  const bad = request.modules.find((m) => !NAME.test(m));
  if (bad !== undefined) throw new Error(`probe request: not a module name: ${JSON.stringify(bad)}`);
  return [...new Set(request.modules.map(normaliseModule))];
}

function splitParam(param: string): { module: string; name: string } {
  const dot = param.indexOf('.');
  const module = param.slice(0, dot);
  const name = param.slice(dot + 1);
  if (dot < 0 || !NAME.test(module) || !NAME.test(name)) throw new Error(`probe request: not a module.param: ${JSON.stringify(param)}`);
  return { module: normaliseModule(module), name };
}

// One awk pass over the three index files answers every asked module at once: a grep per module and
// index was most of the probe's CPU on a real host (modules.alias alone is ~1 MB). Names are matched
// by basename with - and _ alike and any compression suffix, as modprobe resolves them.
const MODSTATE_AWK = `
BEGIN { n = split(want, asked, " "); for (i = 1; i <= n; i++) { k = asked[i]; gsub(/-/, "_", k); key[i] = k } }
/^@@kf-index / { index_name = $2; next }
index_name == "alias" { if ($1 == "alias") { k = $2; gsub(/-/, "_", k); a[k] = 1 } next }
{
  k = $1
  if (index_name == "dep") { if (sub(/:.*/, "", k) == 0) next }
  sub(/.*\\//, "", k)
  if (sub(/[.]ko([.](xz|zst|gz))?$/, "", k) == 0) next
  gsub(/-/, "_", k)
  if (index_name == "builtin") b[k] = 1; else d[k] = 1
}
END { for (i = 1; i <= n; i++) { k = key[i]; printf "%s %d %d %d\\n", asked[i], (k in b), (k in d), (k in a) } }`;

const MAX_FILTER_WORDS = 256;

/** Every way a module name can be written in the index files: each - or _ as either. */
function spellingsOf(name: string): string[] {
  return [...name].reduce<string[]>((words, ch) => (ch === '_' || ch === '-' ? words.flatMap((w) => [`${w}_`, `${w}-`]) : words.map((w) => w + ch)), ['']);
}

// Needs kf_rel from the kernel fragment.
export function buildModulesProbe(request: ProbeRequest): string {
  const modules = checkedModules(request);
  const params = request.params.map((p) => {
    const { module, name } = splitParam(p);
    return fileCommand(`${module}.${name}`, `/sys/module/${module}/parameters/${name}`, true);
  });
  const spellings = modules.flatMap(spellingsOf);
  // A fixed-string grep first: awk then parses a few dozen lines instead of 30,000 (5x less CPU under busybox).
  const filter = spellings.length <= MAX_FILTER_WORDS ? `grep -F ${spellings.map((w) => `-e ${quoteSh(w)}`).join(' ')}` : 'cat';
  const modstate =
    modules.length === 0
      ? ''
      : `kf_md="/lib/modules/$kf_rel"
for kf_ix in builtin dep alias; do echo "@@kf-index $kf_ix"; ${filter} "$kf_md/modules.$kf_ix"; done | awk -v want=${quoteSh(modules.join(' '))} ${quoteSh(MODSTATE_AWK)}`;
  return `${sectionLine('loaded')}
if [ -r /proc/modules ]; then sed 's/ .*//' /proc/modules; fi
${sectionLine('modstate')}
${modstate}
${sectionLine('params')}
${params.join('\n')}
${sectionLine('modules-load')}
${MODULES_LOAD_DIRS.map((d) => dirCommand(d, '.conf')).join('\n')}
${fileCommand(ETC_MODULES, ETC_MODULES, true)}
${sectionLine('modprobe')}
${MODPROBE_DIRS.map((d) => dirCommand(d, '.conf')).join('\n')}`;
}

export function parseModuleSections(sections: ProbeSections): ModuleFacts {
  const loaded = requireSection(sections, 'loaded').lines.filter((l) => l.trim() !== '').map((l) => normaliseModule(l.trim()));
  const builtin: string[] = [];
  const available: Record<string, boolean> = {};
  for (const line of requireSection(sections, 'modstate').lines) {
    const match = /^(\S+) ([01]) ([01]) ([01])$/.exec(line);
    if (!match) throw new ProbeParseError('modstate', `unreadable line ${JSON.stringify(line)}`);
    const [, raw = '', isBuiltin, inDep, isAlias] = match;
    const name = normaliseModule(raw);
    if (isBuiltin === '1') builtin.push(name);
    available[name] = isBuiltin === '1' || inDep === '1' || isAlias === '1';
  }
  const paramSection = requireSection(sections, 'params');
  const params: Record<string, string | null> = {};
  const paramsWritable: Record<string, boolean> = {};
  for (const file of paramSection.files) {
    params[file.label] = fileValue(file);
    // The owner write bit, not `test -w`: root passes `test -w` even on a 0444 sysfs file.
    paramsWritable[file.label] = file.meta !== null && (Number.parseInt(parseLsLine('params', file.meta).mode, 8) & 0o200) !== 0;
  }
  return {
    loaded,
    builtin,
    available,
    params,
    paramsWritable,
    loadFiles: presentFiles(requireSection(sections, 'modules-load')),
    modprobeFiles: presentFiles(requireSection(sections, 'modprobe')),
  };
}
