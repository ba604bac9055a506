import { describe, expect, it } from 'vitest';
import { parseLsLine, ProbeParseError, readProbeOutput, type ProbeSections } from '../../src/facts/sections.js';
import { file, none, probeOutput } from './probe-text.js';

function errorOf(output: string): ProbeParseError {
  try {
    readProbeOutput(output);
  } catch (error) {
    if (error instanceof ProbeParseError) return error;
    throw error;
  }
  throw new Error('readProbeOutput accepted malformed output');
}

describe('readProbeOutput', () => {
  it('decodes framed files whatever bytes they hold', () => {
    // A file holding probe markers, CRLF and no final newline travels framed in base64 and comes back intact.
    const nasty = '@@kf:section end\r\nline 2\twith tab\n@@kf:eof';
    const sections = readProbeOutput(probeOutput({ 'sysctl-files': [...file('/etc/sysctl.d/x.conf', nasty, '-rw-r----- 0 4')] }));
    const [entry] = sections.get('sysctl-files')?.files ?? [];
    expect(entry?.content).toBe(nasty);
    expect(entry?.meta).toBe('-rw-r----- 0 4');
  });

  it('records missing files as null content', () => {
    // The probe says `none` for a file that does not exist.
    const sections = readProbeOutput(probeOutput({ 'sysctl-live': [...none('vm.nope'), ...file('vm.swappiness', '60\n')] }));
    expect(sections.get('sysctl-live')?.files.map((f) => [f.label, f.content])).toEqual([
      ['vm.nope', null],
      ['vm.swappiness', '60\n'],
    ]);
  });

  it('decodes the od hex fallback', () => {
    // A host without base64 sends hex from od, declared in the probe section.
    const hex = Buffer.from('options kvm nested=1\n').toString('hex');
    const output = probeOutput({ probe: ['version 1', 'encoding hex'], os: none('os-release'), boot: [], modprobe: ['@@kf:file /etc/modprobe.d/kvm.conf', hex.slice(0, 10), hex.slice(10), '@@kf:eof'] });
    expect(readProbeOutput(output).get('modprobe')?.files[0]?.content).toBe('options kvm nested=1\n');
  });

  it('keeps plain lines apart from file records', () => {
    // A section mixing fact lines and a framed file.
    const sections: ProbeSections = readProbeOutput(probeOutput({ boot: ['entries-dir /boot/loader/entries', ...file('/etc/kernel/cmdline', 'root=/dev/vda\n'), 'command bootctl'] }));
    expect(sections.get('boot')?.lines).toEqual(['entries-dir /boot/loader/entries', 'command bootctl']);
    expect(sections.get('boot')?.files).toHaveLength(1);
  });

  it.each([
    ['a truncated output', probeOutput().replace('@@kf:section end\n', ''), 'end'],
    ['an unclosed file', probeOutput({ modprobe: ['@@kf:file /etc/modprobe.d/a.conf', 'YQo='] }), 'modprobe'],
    ['invalid base64', probeOutput({ modprobe: ['@@kf:file /etc/modprobe.d/a.conf', 'not base64!', '@@kf:eof'] }), 'modprobe'],
    ['an unknown directive', probeOutput({ params: ['@@kf:bogus x'] }), 'params'],
    ['a section twice', `${probeOutput()}@@kf:section end\n`, 'end'],
    ['an eof without a file', probeOutput({ dkms: ['@@kf:eof'] }), 'dkms'],
    ['an unknown encoding', probeOutput({ probe: ['encoding rot13'] }), 'probe'],
  ])('rejects %s, naming the section', (_name, output, section) => {
    // Malformed output: the error must point at the section that broke.
    const error = errorOf(output);
    expect(error.section).toBe(section);
    expect(error.message).toContain(`section ${section}`);
  });

  it('rejects text before the first section', () => {
    // A login banner or shell noise before the probe's first marker.
    expect(errorOf(`Welcome!\n${probeOutput()}`).message).toContain('Welcome!');
  });
});

describe('parseLsLine', () => {
  it.each([
    ['-rw-r--r-- 0 0', '0644', '0:0'],
    ['-rwsr-x--- 0 27', '4750', '0:27'],
    ['-r--r--r--. 1000 1000', '0444', '1000:1000'],
    ['drwxrwxrwt 0 0', '1777', '0:0'],
  ])('reads %s', (line, mode, owner) => {
    // The three fields the probe cuts from `ls -ldnL`.
    expect(parseLsLine('x', line)).toEqual({ mode, owner });
  });

  it('rejects a line that is not ls output', () => {
    // A meta line that cannot be permissions.
    expect(() => parseLsLine('params', 'total 0')).toThrow(/section params/);
  });
});
