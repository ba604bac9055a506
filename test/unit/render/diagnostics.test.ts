import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/model/index.js';
import { renderDiagnostics } from '../../../src/render/index.js';

const PLAYBOOK = ['- name: debvisor', '  hosts: hypervisors', '  modules:', '    vfio_pci:', '      parms: { nested: 1 }', ''].join('\n');
const SOURCES = { 'playbooks/debvisor.yml': PLAYBOOK };

const unknownKey: Diagnostic = {
  severity: 'error',
  code: 'unknown-key',
  message: 'unknown key "parms"',
  hint: 'did you mean "params"?',
  source: { file: 'playbooks/debvisor.yml', line: 5, col: 7 },
};

describe('renderDiagnostics', () => {
  it('prints file:line:col, the line before, the line and a caret under the column with the hint', () => {
    // A misspelt key on line 5, column 7 of a playbook.
    const text = renderDiagnostics([unknownKey], SOURCES, { color: false });
    expect(text).toBe(
      [
        'playbooks/debvisor.yml:5:7: error: unknown key "parms"',
        '   4 |     vfio_pci:',
        '   5 |       parms: { nested: 1 }',
        '     |       ^ did you mean "params"?',
        '1 error, 0 warnings',
        '',
      ].join('\n'),
    );
  });

  it('shows no line before line 1 and widens the gutter for two-digit line numbers', () => {
    // One problem on the first line, another on line 10 of a longer file.
    const file = Array.from({ length: 12 }, (_, index) => `key${index + 1}: value`).join('\n');
    const at = (line: number, col: number): Diagnostic => ({ severity: 'warning', code: 'deprecated', message: `line ${line}`, source: { file: 'p.yml', line, col } });
    const text = renderDiagnostics([at(1, 1), at(10, 8)], { 'p.yml': file }, { color: false });
    expect(text).toContain('p.yml:1:1: warning: line 1\n   1 | key1: value\n     | ^\n');
    expect(text).toContain('p.yml:10:8: warning: line 10\n    9 | key9: value\n   10 | key10: value\n      |        ^\n');
  });

  it('keeps tabs in the caret line so it lines up under tab-indented text', () => {
    // The offending key is indented with a tab.
    const text = renderDiagnostics([{ ...unknownKey, source: { file: 't.yml', line: 1, col: 2 } }], { 't.yml': '\tparms: 1' }, { color: false });
    expect(text).toContain('   1 | \tparms: 1\n     | \t^ did you mean "params"?');
  });

  it('prints errors before warnings and ends with the counts', () => {
    // A warning reported before two errors.
    const warning: Diagnostic = { severity: 'warning', code: 'kernel-below-recommended', message: 'kernel 6.1 is below the recommended 6.6', host: 'hv03' };
    const hostError: Diagnostic = { severity: 'error', code: 'ssh-unreachable', message: 'ssh: connection refused', host: 'hv07' };
    const lines = renderDiagnostics([warning, unknownKey, hostError], SOURCES, { color: false }).trimEnd().split('\n');
    expect(lines[0]).toBe('playbooks/debvisor.yml:5:7: error: unknown key "parms"');
    expect(lines[4]).toBe('hv07: error: ssh: connection refused (ssh-unreachable)');
    expect(lines[5]).toBe('hv03: warning: kernel 6.1 is below the recommended 6.6 (kernel-below-recommended)');
    expect(lines.at(-1)).toBe('2 errors, 1 warning');
  });

  it('falls back to the hint on its own line when the source text is not at hand', () => {
    // The diagnostic points into a file the caller did not pass.
    const text = renderDiagnostics([unknownKey], {}, { color: false });
    expect(text).toBe('playbooks/debvisor.yml:5:7: error: unknown key "parms"\n  hint: did you mean "params"?\n1 error, 0 warnings\n');
  });

  it('colours severities and carets when colour is on and says the same without it', () => {
    // The misspelt key shown on a terminal.
    const coloured = renderDiagnostics([unknownKey], SOURCES, { color: true });
    expect(coloured).toContain('\u001b[31merror:');
    expect(coloured).toContain('\u001b[31m^');
    expect(stripVTControlCharacters(coloured)).toBe(renderDiagnostics([unknownKey], SOURCES, { color: false }));
  });

  it('returns nothing for no diagnostics', () => {
    // A clean validation run.
    expect(renderDiagnostics([], SOURCES, { color: false })).toBe('');
  });
});
