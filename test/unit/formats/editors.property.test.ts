// Property tests of the three editors: edits keep every unrelated line or parameter, editing twice is
// editing once, and the edited text evaluates to what was asked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cmdlineValue, editCmdline, formatCmdlineParam, parseCmdline, type CmdlineParam } from '../../../src/formats/cmdline.js';
import { editGrubCmdline, evaluateGrub, setGrubVar } from '../../../src/formats/grub.js';
import { editSysctlFile, effectiveSysctl, parseSysctlFile, sameSysctlValue } from '../../../src/formats/sysctl-d.js';
import type { FileEntry } from '../../../src/model/index.js';

// A small key pool makes repeated keys and collisions with the edit frequent.
const cmdlineKey = fc.oneof(fc.constantFrom('quiet', 'iommu', 'console', 'ro', 'root', 'intel_iommu', 'rd.lvm.lv'), fc.stringMatching(/^[a-z][a-z0-9_.]{0,6}$/));
const plainValue = fc.option(fc.stringMatching(/^[A-Za-z0-9,:./=-]{0,6}$/), { nil: null });
const anyValue = fc.oneof(plainValue, fc.constantFrom('a b', 'x  y,z'));
const separator = fc.constantFrom(' ', '  ', '\t');

function cmdlineText(params: [string, string | null][], seps: string[]): string {
  return params.map(([k, v], i) => (i === 0 ? '' : (seps[i % seps.length] ?? ' ')) + formatCmdlineParam(k, v)).join('');
}

/** Parameters as written (quotes and all), for byte-level comparison. */
function rawTokens(text: string): string[] {
  return text.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}

function without(params: CmdlineParam[], keys: Set<string>): CmdlineParam[] {
  return params.filter((p) => !keys.has(p.key));
}

const cmdlineEdit = fc.record({
  params: fc.array(fc.tuple(cmdlineKey, anyValue), { maxLength: 10 }),
  seps: fc.array(separator, { minLength: 1, maxLength: 3 }),
  set: fc.dictionary(cmdlineKey, anyValue, { maxKeys: 3 }),
  remove: fc.array(cmdlineKey, { maxLength: 2 }),
});

describe('editCmdline properties', () => {
  it('keeps unrelated parameters in order, is idempotent and yields the wanted values', () => {
    // Random command lines with repeated keys, random edits.
    fc.assert(
      fc.property(cmdlineEdit, ({ params, seps, set, remove }) => {
        const text = cmdlineText(params, seps);
        const touched = new Set([...Object.keys(set), ...remove]);
        const out = editCmdline(text, set, remove);
        const parsed = parseCmdline(out);
        expect(without(parsed, touched)).toEqual(without(parseCmdline(text), touched));
        expect(rawTokens(out).filter((t) => !touched.has(parseCmdline(t)[0]!.key))).toEqual(rawTokens(text).filter((t) => !touched.has(parseCmdline(t)[0]!.key)));
        expect(editCmdline(out, set, remove)).toBe(out);
        for (const key of remove) expect(cmdlineValue(parsed, key)).toBeUndefined();
        for (const [key, value] of Object.entries(set)) {
          if (remove.includes(key)) continue;
          expect(parsed.filter((p) => p.key === key)).toEqual([{ key, value }]);
        }
      }),
    );
  });
});

const sysctlKey: fc.Arbitrary<string> = fc.constantFrom('vm.swappiness', 'net.ipv4.ip_forward', 'kernel.pid_max', 'net.core.somaxconn', 'fs.file-max');
const sysctlValue = fc.stringMatching(/^[0-9a-z]{1,4}( [0-9]{1,3}){0,2}$/);
const sysctlLine = fc.oneof(
  fc.constantFrom('', '# comment', '; vm.swappiness = 1', '  # indented'),
  fc.tuple(fc.constantFrom('', '-', '  '), sysctlKey, fc.constantFrom('=', ' = ', '  =\t'), sysctlValue, fc.constantFrom('', '  ')).map((p) => p.join('')),
);

function sysctlKeyOf(line: string): string | undefined {
  return parseSysctlFile('/x', line)[0]?.key;
}

describe('editSysctlFile properties', () => {
  it('keeps unrelated lines, is idempotent and gives each key the wanted value', () => {
    // Random sysctl.d files with duplicates, comments and odd spacing; random edits.
    fc.assert(
      fc.property(
        fc.array(sysctlLine, { maxLength: 12 }),
        fc.boolean(),
        fc.dictionary(sysctlKey, sysctlValue, { maxKeys: 3 }),
        fc.array(sysctlKey, { maxLength: 2 }),
        (lines, finalNewline, set, remove) => {
          const content = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '');
          const out = editSysctlFile(content, set, remove);
          const touched = new Set([...Object.keys(set), ...remove]);
          const untouched = (text: string): string[] => text.split('\n').filter((l) => !touched.has(sysctlKeyOf(l) ?? ''));
          expect(untouched(out).filter((l) => l !== '')).toEqual(untouched(content).filter((l) => l !== ''));
          expect(editSysctlFile(out, set, remove)).toBe(out);
          const eff = effectiveSysctl([{ path: '/etc/sysctl.d/x.conf', content: out }]);
          for (const key of remove) expect(eff[key]).toBeUndefined();
          for (const [key, value] of Object.entries(set)) {
            if (!remove.includes(key)) expect(sameSysctlValue(eff[key]!.value, value)).toBe(true);
          }
        },
      ),
    );
  });
});

const NAME = 'GRUB_CMDLINE_LINUX';
const MAIN = '/etc/default/grub';
const noiseLine = fc.constantFrom('', '# GRUB_CMDLINE_LINUX="commented"', 'GRUB_TIMEOUT=5', 'GRUB_DISTRIBUTOR="$(lsb_release -i -s)"', "OTHER='x y'", 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"');
const targetLine = fc
  .tuple(fc.constantFrom('', '  ', 'export '), fc.constantFrom('"', "'", ''), fc.stringMatching(/^[a-z0-9=.,]{0,8}$/), fc.constantFrom('', ' # note'))
  .map(([indent, q, v, comment]) => `${indent}${NAME}=${q}${v}${q}${comment}`);
const grubFile = fc.tuple(fc.array(noiseLine, { maxLength: 4 }), targetLine, fc.array(fc.oneof(noiseLine, targetLine), { maxLength: 4 })).map(([a, t, b]) => [...a, t, ...b].join('\n') + '\n');

describe('setGrubVar properties', () => {
  it('rewrites only the deciding line, round-trips any printable value, and is idempotent', () => {
    // Random GRUB defaults files with the variable in every quoting style; any printable ASCII value.
    fc.assert(
      fc.property(grubFile, fc.string({ maxLength: 20 }), (content, value) => {
        const deciding = evaluateGrub([{ path: MAIN, content }]).vars[NAME]!;
        const out = setGrubVar(content, NAME, value, deciding.line);
        const after = evaluateGrub([{ path: MAIN, content: out }]).vars[NAME]!;
        expect(after).toMatchObject({ value, line: deciding.line, plain: true });
        const otherLines = (text: string): string[] => text.split('\n').filter((_, i) => i !== deciding.line - 1);
        expect(otherLines(out)).toEqual(otherLines(content));
        expect(setGrubVar(out, NAME, value, deciding.line)).toBe(out);
      }),
    );
  });
});

const fileParam = fc.tuple(cmdlineKey, anyValue).map(([k, v]) => formatCmdlineParam(k, v));

/** A command line as a shell word: inside double quotes a quoted kernel value needs \". */
function shellQuoted(params: string[], quote: string): string {
  const text = params.join(' ');
  return quote === '"' ? `"${text.replace(/"/g, '\\"')}"` : `'${text}'`;
}

function applyEdits(files: FileEntry[], edits: { path: string; after: string }[]): FileEntry[] {
  return files.map((f) => ({ ...f, content: edits.find((e) => e.path === f.path)?.after ?? f.content }));
}

describe('editGrubCmdline properties', () => {
  it('reaches the wanted parameters across a $VAR chain, keeps the others and converges in one edit', () => {
    // A main file and an optional drop-in that extends the main file's value with more parameters.
    fc.assert(
      fc.property(
        fc.array(fileParam, { maxLength: 5 }),
        fc.constantFrom('"', "'"),
        fc.option(fc.array(fileParam, { maxLength: 4 }), { nil: null }),
        fc.array(noiseLine, { maxLength: 3 }),
        fc.dictionary(cmdlineKey, anyValue, { maxKeys: 3 }),
        fc.array(cmdlineKey, { maxLength: 2 }),
        (mainParams, quote, dropInParams, noise, set, remove) => {
          const files: FileEntry[] = [{ path: MAIN, content: [...noise, `${NAME}=${shellQuoted(mainParams, quote)}`, ...noise].join('\n') + '\n' }];
          if (dropInParams) files.push({ path: '/etc/default/grub.d/50-x.cfg', content: `# drop-in\n${NAME}=${shellQuoted([`\${${NAME}}`, ...dropInParams], '"')}\n` });
          const before = evaluateGrub(files).vars[NAME]!.value;
          const result = editGrubCmdline(files, NAME, set, remove);
          expect(result.blocked).toBeNull();
          const edited = applyEdits(files, result.edits);
          const value = evaluateGrub(edited).vars[NAME]!.value;
          const params = parseCmdline(value);
          for (const key of remove) expect(cmdlineValue(params, key)).toBeUndefined();
          for (const [key, want] of Object.entries(set)) if (!remove.includes(key)) expect(cmdlineValue(params, key)).toBe(want);
          const touched = new Set([...Object.keys(set), ...remove]);
          expect(without(params, touched)).toEqual(without(parseCmdline(before), touched));
          const noiseOf = (f: FileEntry): string[] => f.content.split('\n').filter((l) => !l.includes(`${NAME}=`));
          expect(edited.map(noiseOf)).toEqual(files.map(noiseOf));
          expect(editGrubCmdline(edited, NAME, set, remove)).toEqual({ edits: [], blocked: null });
        },
      ),
    );
  });
});
