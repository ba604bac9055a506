import { describe, expect, it } from 'vitest';
import { cmdlineValue, editCmdline, formatCmdlineParam, parseCmdline } from '../../../src/formats/cmdline.js';
import { readFixture } from './fixture.js';

describe('parseCmdline', () => {
  it('splits the KSPP recommended x86-64 command line, keeping the repeated slub_debug', () => {
    // The KSPP list sets slub_debug twice (ZF then P); the kernel keeps the last one.
    const params = parseCmdline(readFixture('cmdline-kspp-recommended-x86_64.txt'));
    expect(params).toHaveLength(19);
    expect(params.filter((p) => p.key === 'slub_debug').map((p) => p.value)).toEqual(['ZF', 'P']);
    expect(cmdlineValue(params, 'slub_debug')).toBe('P');
    expect(cmdlineValue(params, 'mitigations')).toBe('auto,nosmt');
    expect(cmdlineValue(params, 'nosmt')).toBeNull();
    expect(cmdlineValue(params, 'quiet')).toBeUndefined();
  });

  it('reads a RHEL 10 /etc/kernel/cmdline with a crashkernel range list and two rd.lvm.lv', () => {
    // The value of crashkernel holds `:` and `,`, and `=` appears only once per parameter here.
    const params = parseCmdline(readFixture('kernel-cmdline-rhel10.txt'));
    expect(params.map((p) => p.key)).toEqual(['root', 'ro', 'crashkernel', 'resume', 'rd.lvm.lv', 'rd.lvm.lv', 'rhgb', 'quiet']);
    expect(cmdlineValue(params, 'crashkernel')).toBe('2G-64G:256M,64G-:512M');
    expect(cmdlineValue(params, 'resume')).toBe('UUID=763c68db-1f81-4f70-9d5f-cd4310c8271b');
    expect(cmdlineValue(params, 'rd.lvm.lv')).toBe('rhel_vbox/swap');
  });

  it('keeps whitespace inside double quotes and strips the quotes from the value', () => {
    // dyndbg takes a quoted value with spaces; a whole quoted parameter also loses its quotes.
    const params = parseCmdline('  dyndbg="file foo.c +p"\tquiet "acpi_osi=Linux x"  ');
    expect(params).toEqual([
      { key: 'dyndbg', value: 'file foo.c +p' },
      { key: 'quiet', value: null },
      { key: 'acpi_osi', value: 'Linux x' },
    ]);
  });

  it('stops at `--`: what follows belongs to init', () => {
    // `single` after -- is an argument for init, not a kernel parameter.
    expect(parseCmdline('ro quiet -- single').map((p) => p.key)).toEqual(['ro', 'quiet']);
  });

  it('distinguishes an empty value from a bare flag', () => {
    // `foo=` gives the kernel an empty string, `foo` gives it no value at all.
    expect(parseCmdline('foo= bar')).toEqual([{ key: 'foo', value: '' }, { key: 'bar', value: null }]);
  });
});

describe('editCmdline', () => {
  it('replaces in place, appends, removes, and keeps the rest of the Proxmox VFIO line byte for byte', () => {
    // A Proxmox host with CPU isolation: change iommu, drop isolcpus, add vfio ids.
    const text = 'root=UUID=0307fdbf-fafd-47c2-b226-7b2b6071abe7 intel_iommu=on iommu=pt isolcpus=2-7 nohz_full=2-7 rcu_nocbs=2-7\n';
    const out = editCmdline(text, { iommu: 'on', 'vfio-pci.ids': '10de:1b80' }, ['isolcpus']);
    expect(out).toBe('root=UUID=0307fdbf-fafd-47c2-b226-7b2b6071abe7 intel_iommu=on iommu=on nohz_full=2-7 rcu_nocbs=2-7 vfio-pci.ids=10de:1b80\n');
  });

  it('collapses a repeated key to its first position when it is set', () => {
    // KSPP's slub_debug=ZF ... slub_debug=P: setting slub_debug leaves one, where the first was.
    const text = readFixture('cmdline-kspp-recommended-x86_64.txt');
    const out = editCmdline(text, { slub_debug: 'FZP' }, []);
    const params = parseCmdline(out);
    expect(params.filter((p) => p.key === 'slub_debug')).toEqual([{ key: 'slub_debug', value: 'FZP' }]);
    expect(params.findIndex((p) => p.key === 'slub_debug')).toBe(parseCmdline(text).findIndex((p) => p.key === 'slub_debug'));
    expect(params).toHaveLength(18);
  });

  it('removes every occurrence of a removed key', () => {
    // Two consoles configured; removing `console` removes both.
    expect(editCmdline('console=tty0 quiet console=ttyS0,115200', {}, ['console'])).toBe('quiet');
  });

  it('returns the text unchanged, odd spacing included, when the values already hold', () => {
    // A value written with quotes that already equals the wanted one is not rewritten.
    const text = 'quiet   foo="a b"  splash\n';
    expect(editCmdline(text, { foo: 'a b', quiet: null }, ['absent'])).toBe(text);
  });

  it('writes bare flags, quotes values with spaces, and appends before init arguments', () => {
    // Parameters after `--` are init's and stay last.
    const out = editCmdline('ro -- single', { quiet: null, dyndbg: 'file a.c +p' }, []);
    expect(out).toBe('ro quiet dyndbg="file a.c +p" -- single');
    expect(editCmdline('-- single', { quiet: null }, [])).toBe('quiet -- single');
  });

  it('turns a flag into key=value and back', () => {
    // `quiet` becomes `quiet=1`, `ro=x` becomes the bare flag `ro`.
    expect(editCmdline('ro=x quiet', { quiet: '1', ro: null }, [])).toBe('ro quiet=1');
  });

  it('fills an empty command line', () => {
    // An empty /etc/kernel/cmdline with only a newline.
    expect(editCmdline('\n', { quiet: null }, [])).toBe('quiet\n');
    expect(editCmdline('', {}, [])).toBe('');
  });

  it('formats parameters the way the tokenizer reads them back', () => {
    // Round trip of the three shapes a parameter can take.
    for (const [key, value] of [['a', null], ['b', '1'], ['c', 'x y']] as const) {
      expect(parseCmdline(formatCmdlineParam(key, value))).toEqual([{ key, value }]);
    }
  });
});
