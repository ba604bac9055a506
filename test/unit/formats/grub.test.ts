import { describe, expect, it } from 'vitest';
import { editGrubCmdline, editGrubVarParams, evaluateGrub, grubKernelParams, orderGrubFiles, setGrubVar } from '../../../src/formats/grub.js';
import type { FileEntry } from '../../../src/model/index.js';
import { readFixture } from './fixture.js';

const MAIN = '/etc/default/grub';
const CLOUD = '/etc/default/grub.d/50-cloudimg-settings.cfg';

function file(path: string, content: string): FileEntry {
  return { path, content };
}

// An Ubuntu cloud image: the assignments of Ubuntu's stock main file (abbreviated) and, in the tests,
// the cloud-image drop-in copied from a real image.
const ubuntuMain = [
  'GRUB_DEFAULT=0',
  'GRUB_TIMEOUT_STYLE=hidden',
  'GRUB_TIMEOUT=5',
  'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`',
  'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"',
  'GRUB_CMDLINE_LINUX=""',
  '',
].join('\n');

describe('evaluateGrub', () => {
  it('finds that the AWS cloud-image drop-in decides GRUB_CMDLINE_LINUX_DEFAULT over the main file', () => {
    // Main file says "quiet splash"; 50-cloudimg-settings.cfg (sourced later) replaces it.
    const ev = evaluateGrub([file(CLOUD, readFixture('grub.d-ubuntu-cloudimg-aws-50-cloudimg-settings.cfg')), file(MAIN, ubuntuMain)]);
    expect(ev.order).toEqual([MAIN, CLOUD]);
    expect(ev.vars.GRUB_CMDLINE_LINUX_DEFAULT).toMatchObject({ path: CLOUD, line: 11, plain: true, value: 'console=tty1 console=ttyS0 nvme_core.io_timeout=4294967295' });
    expect(ev.vars.GRUB_CMDLINE_LINUX).toMatchObject({ path: MAIN, line: 6, value: '', plain: true });
    expect(ev.vars.GRUB_TIMEOUT).toMatchObject({ path: CLOUD, value: '0' });
    expect(ev.vars.GRUB_DISTRIBUTOR).toMatchObject({ plain: false, reason: 'command substitution' });
  });

  it('reads the DigitalOcean drop-in, whose last assignment is GRUB_PRELOAD_MODULES', () => {
    // Only the drop-in is present: the main file is missing from the gathered files.
    const ev = evaluateGrub([file(CLOUD, readFixture('grub.d-ubuntu-cloudimg-digitalocean-50-cloudimg-settings.cfg'))]);
    expect(ev.vars.GRUB_CMDLINE_LINUX_DEFAULT?.value).toBe('console=tty1 console=ttyS0');
    expect(ev.vars.GRUB_PRELOAD_MODULES).toMatchObject({ value: 'multiboot serial usb usb_keyboard', line: 17 });
  });

  it('ignores the commented-out default on the Proxmox IOMMU host', () => {
    // Line 9 is `#GRUB_CMDLINE_LINUX_DEFAULT="quiet"`, line 10 the real one.
    const ev = evaluateGrub([file(MAIN, readFixture('default-grub-proxmox-host-iommu'))]);
    expect(ev.vars.GRUB_CMDLINE_LINUX_DEFAULT).toMatchObject({ value: 'intel_iommu=on', line: 10, plain: true });
    expect(ev.vars.GRUB_DISTRIBUTOR?.value).toBe('Proxmox Virtual Environment');
    expect(ev.vars.GRUB_BADRAM).toBeUndefined();
  });

  it('sees BLS on RHEL 10 and off on the Fedora desktop, and the $(sed ...) distributor as not plain', () => {
    // Both files compute GRUB_DISTRIBUTOR with a command substitution.
    const rhel = evaluateGrub([file(MAIN, readFixture('default-grub-rhel10-bls'))]);
    const fedora = evaluateGrub([file(MAIN, readFixture('default-grub-fedora-desktop-nobls'))]);
    expect(rhel.vars.GRUB_ENABLE_BLSCFG?.value).toBe('true');
    expect(fedora.vars.GRUB_ENABLE_BLSCFG?.value).toBe('false');
    expect(rhel.vars.GRUB_CMDLINE_LINUX?.value).toContain('crashkernel=2G-64G:256M,64G-:512M');
    expect(rhel.vars.GRUB_DISTRIBUTOR).toMatchObject({ plain: false, line: 2 });
    expect(fedora.vars.GRUB_TERMINAL_OUTPUT).toBeUndefined();
  });

  it('expands $VAR and ${VAR} from earlier files and links the line to the one it extends', () => {
    // A drop-in appends a console to the value the main file set.
    const ev = evaluateGrub([
      file(MAIN, 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nEXTRA=iommu=pt\n'),
      file('/etc/default/grub.d/60-console.cfg', 'export GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT console=ttyS0 ${EXTRA}"\n'),
    ]);
    const deciding = ev.vars.GRUB_CMDLINE_LINUX_DEFAULT!;
    expect(deciding).toMatchObject({ value: 'quiet console=ttyS0 iommu=pt', path: '/etc/default/grub.d/60-console.cfg', line: 1, plain: true });
    expect(deciding.previous).toMatchObject({ path: MAIN, line: 1, value: 'quiet' });
  });

  it('marks conditionals, +=, unresolved expansions, shared lines and multi-line values as not plain', () => {
    // Every construct the evaluator does not rewrite, one per variable.
    const content = [
      'if [ -e /x ]; then',
      '  A=1',
      'fi',
      'B=1',
      'B+=2',
      'C="$UNSET_ELSEWHERE x"',
      'D=1; E=2',
      'F="one',
      'two"',
      'G=${H:-def}',
      'I=plain # trailing comment',
      'J=1 true',
      'unset K',
      '',
    ].join('\n');
    const ev = evaluateGrub([file(MAIN, content)]);
    expect(ev.vars.A).toMatchObject({ plain: false, reason: 'inside a conditional or loop', value: '1' });
    expect(ev.vars.B).toMatchObject({ plain: false, value: '12', line: 5 });
    expect(ev.vars.C).toMatchObject({ plain: false, value: ' x' });
    expect(ev.vars.D?.plain).toBe(false);
    expect(ev.vars.E?.plain).toBe(false);
    expect(ev.vars.F).toMatchObject({ plain: false, value: 'one\ntwo', line: 8 });
    expect(ev.vars.G?.plain).toBe(false);
    expect(ev.vars.I).toMatchObject({ plain: true, value: 'plain', line: 11 });
    expect(ev.vars.J).toBeUndefined();
    expect(ev.vars.K).toMatchObject({ plain: false, reason: 'unset' });
  });

  it('sources grub.d/*.cfg in byte order and skips other files', () => {
    // `Z` sorts before `a` in byte order; a .bak drop-in and /etc/kernel/cmdline are not sourced.
    const ordered = orderGrubFiles([
      file('/etc/default/grub.d/a.cfg', ''),
      file('/etc/default/grub.d/Z.cfg', ''),
      file('/etc/default/grub.d/x.cfg.bak', ''),
      file('/etc/kernel/cmdline', 'quiet'),
      file(MAIN, ''),
    ]);
    expect(ordered.map((f) => f.path)).toEqual([MAIN, '/etc/default/grub.d/Z.cfg', '/etc/default/grub.d/a.cfg']);
  });
});

describe('grubKernelParams', () => {
  it('puts GRUB_CMDLINE_LINUX before GRUB_CMDLINE_LINUX_DEFAULT, as on the default boot entry', () => {
    // The Ubuntu cloud image with a crashkernel in GRUB_CMDLINE_LINUX.
    const ev = evaluateGrub([
      file(MAIN, ubuntuMain.replace('GRUB_CMDLINE_LINUX=""', 'GRUB_CMDLINE_LINUX="crashkernel=512M"')),
      file(CLOUD, readFixture('grub.d-ubuntu-cloudimg-aws-50-cloudimg-settings.cfg')),
    ]);
    expect(grubKernelParams(ev).map((p) => p.key)).toEqual(['crashkernel', 'console', 'console', 'nvme_core.io_timeout']);
  });
});

describe('setGrubVar', () => {
  it('rewrites the deciding line of the Proxmox file and leaves every other byte alone', () => {
    // intel_iommu=on becomes intel_iommu=on iommu=pt on line 10.
    const content = readFixture('default-grub-proxmox-host-iommu');
    const out = setGrubVar(content, 'GRUB_CMDLINE_LINUX_DEFAULT', 'intel_iommu=on iommu=pt', 10);
    const before = content.split('\n');
    const after = out.split('\n');
    expect(after[9]).toBe('GRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=on iommu=pt"');
    expect(after.filter((_, i) => i !== 9)).toEqual(before.filter((_, i) => i !== 9));
  });

  it('keeps single quotes, unquoted style, indentation, export and a trailing comment', () => {
    // Three styles of writing an assignment.
    expect(setGrubVar("  export X='a' # keep\n", 'X', 'b c', 1)).toBe("  export X='b c' # keep\n");
    expect(setGrubVar('X=a\n', 'X', 'b', 1)).toBe('X=b\n');
    expect(setGrubVar('X=a\n', 'X', 'b c', 1)).toBe('X="b c"\n');
    expect(setGrubVar("X='a'\n", 'X', "it's", 1)).toBe('X="it\'s"\n');
  });

  it('escapes shell characters so the value stays literal, and appends when there is no line', () => {
    // A value holding $ and " must not expand when sourced.
    const out = setGrubVar('A=1', 'GRUB_CMDLINE_LINUX', 'x="$y"', null);
    expect(out).toBe('A=1\nGRUB_CMDLINE_LINUX="x=\\"\\$y\\""\n');
    expect(evaluateGrub([file(MAIN, out)]).vars.GRUB_CMDLINE_LINUX?.value).toBe('x="$y"');
  });

  it('refuses a line that does not assign the variable', () => {
    // Line 1 assigns A, not B.
    expect(() => setGrubVar('A=1\n', 'B', 'x', 1)).toThrow(/no assignment of B/);
  });
});

describe('editGrubVarParams', () => {
  it('edits the literal parameters around $VAR and keeps the expansion', () => {
    // The drop-in extends the previous value; iommu=pt is added after it, console changed in place.
    const content = 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT console=ttyS0" # cloud\n';
    const out = editGrubVarParams(content, 'GRUB_CMDLINE_LINUX_DEFAULT', 1, { console: 'ttyS1', iommu: 'pt' }, []);
    expect(out).toBe('GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT console=ttyS1 iommu=pt" # cloud\n');
  });

  it('braces a variable when a literal character would otherwise join its name', () => {
    // Removing the space after $X would make $Xfoo; the result must still read $X.
    const out = editGrubVarParams('Y="$X\tfoo=1"\n', 'Y', 1, { bar: null }, []);
    expect(out).toBe('Y="$X\tfoo=1 bar"\n');
    expect(editGrubVarParams('Y=$X\n', 'Y', 1, { q: null }, [])).toBe('Y="$X q"\n');
  });
});

describe('editGrubCmdline', () => {
  it('adds iommu=pt to the cloud-image drop-in that decides the value, not to the main file', () => {
    // The Ubuntu cloud image: main file plus the AWS drop-in.
    const files = [file(MAIN, ubuntuMain), file(CLOUD, readFixture('grub.d-ubuntu-cloudimg-aws-50-cloudimg-settings.cfg'))];
    const result = editGrubCmdline(files, 'GRUB_CMDLINE_LINUX_DEFAULT', { iommu: 'pt', intel_iommu: 'on' }, []);
    expect(result.blocked).toBeNull();
    expect(result.edits.map((e) => e.path)).toEqual([CLOUD]);
    expect(result.edits[0]!.after.split('\n')[10]).toBe('GRUB_CMDLINE_LINUX_DEFAULT="console=tty1 console=ttyS0 nvme_core.io_timeout=4294967295 iommu=pt intel_iommu=on"');
    const again = editGrubCmdline([files[0]!, file(CLOUD, result.edits[0]!.after)], 'GRUB_CMDLINE_LINUX_DEFAULT', { iommu: 'pt', intel_iommu: 'on' }, []);
    expect(again).toEqual({ edits: [], blocked: null });
  });

  it('replaces a parameter where it is written and removes one from every line of a $X chain', () => {
    // quiet and iommu come from the main file, the drop-in adds a console and another quiet.
    const dropIn = '/etc/default/grub.d/60-console.cfg';
    const files = [
      file(MAIN, '# main\nGRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=soft"\n'),
      file(dropIn, 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT console=ttyS0 quiet"\n'),
    ];
    const result = editGrubCmdline(files, 'GRUB_CMDLINE_LINUX_DEFAULT', { iommu: 'pt' }, ['quiet']);
    expect(result.blocked).toBeNull();
    expect(result.edits).toEqual([
      { path: MAIN, before: files[0]!.content, after: '# main\nGRUB_CMDLINE_LINUX_DEFAULT="iommu=pt"\n' },
      { path: dropIn, before: files[1]!.content, after: 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT console=ttyS0"\n' },
    ]);
  });

  it('appends the variable to /etc/default/grub when no file sets it', () => {
    // The Fedora desktop file sets GRUB_CMDLINE_LINUX only.
    const content = readFixture('default-grub-fedora-desktop-nobls');
    const result = editGrubCmdline([file(MAIN, content)], 'GRUB_CMDLINE_LINUX_DEFAULT', { quiet: null }, []);
    expect(result.edits).toEqual([{ path: MAIN, before: content, after: `${content}GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n` }]);
  });

  it('is blocked, with the place named, when the deciding line is not plain', () => {
    // A conditional assignment decides the value: kernfleet reports it instead of rewriting it.
    const files = [file(MAIN, 'if true; then\nGRUB_CMDLINE_LINUX="quiet"\nfi\n')];
    const result = editGrubCmdline(files, 'GRUB_CMDLINE_LINUX', { iommu: 'pt' }, []);
    expect(result.edits).toEqual([]);
    expect(result.blocked).toBe('GRUB_CMDLINE_LINUX at /etc/default/grub:2 is not a plain assignment (inside a conditional or loop)');
  });

  it('is blocked when a parameter to remove comes from another variable', () => {
    // iommu=pt reaches the value through $EXTRA, which kernfleet does not rewrite.
    const files = [file(MAIN, 'EXTRA="iommu=pt"\nGRUB_CMDLINE_LINUX="quiet $EXTRA"\n')];
    const result = editGrubCmdline(files, 'GRUB_CMDLINE_LINUX', {}, ['iommu']);
    expect(result.edits).toEqual([]);
    expect(result.blocked).toBe('GRUB_CMDLINE_LINUX: rewriting its plain assignments cannot give iommu the wanted value (see /etc/default/grub:2)');
  });
});
