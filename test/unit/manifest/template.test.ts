import { describe, expect, it } from 'vitest';
import { substituteTemplates } from '../../../src/manifest/template.js';
import { canBothHold } from '../../../src/manifest/merge.js';

describe('substituteTemplates', () => {
  it('substitutes every reference, with or without inner spaces, and stringifies scalars', () => {
    // A value built from two variables, one of them a number.
    expect(substituteTemplates('{{vendor}}:{{ device }}', { vendor: '10de', device: 1234 }, 'safe')).toEqual({ ok: true, value: '10de:1234', templated: true });
    expect(substituteTemplates('plain', {}, 'safe')).toEqual({ ok: true, value: 'plain', templated: false });
  });

  it('refuses undefined and non-scalar variables', () => {
    // One template names nothing, another a list.
    expect(substituteTemplates('{{ nope }}', {}, 'safe')).toMatchObject({ ok: false, code: 'undefined-variable', variable: 'nope' });
    expect(substituteTemplates('{{ ids }}', { ids: ['a', 'b'] }, 'safe')).toMatchObject({ ok: false, code: 'invalid-variable', message: 'variable "ids" is a list, not a single value' });
  });

  it('checks the result against the same rule as a literal value', () => {
    // A variable smuggles a newline into a value, another a dash-less module name with a space.
    expect(substituteTemplates('{{ v }}', { v: '1\nkernel.x=2' }, 'safe')).toMatchObject({ ok: false, code: 'unsafe-value' });
    expect(substituteTemplates('{{ m }}', { m: 'vfio pci' }, 'module')).toMatchObject({ ok: false, code: 'unsafe-value' });
    expect(substituteTemplates('{{ m }}', { m: '' }, 'module')).toMatchObject({ ok: false, code: 'unsafe-value' });
    expect(substituteTemplates('{{ m }}', { m: 'vfio-pci' }, 'module')).toEqual({ ok: true, value: 'vfio-pci', templated: true });
  });
});

describe('canBothHold', () => {
  it('is false only when both conditions test one fact for different values', () => {
    // Vendor conditions against each other and against an unrelated os condition.
    expect(canBothHold({ 'cpu.vendor': 'intel' }, { 'cpu.vendor': 'amd' })).toBe(false);
    expect(canBothHold({ 'cpu.vendor': 'intel' }, { 'os.family': 'debian' })).toBe(true);
    expect(canBothHold(undefined, { 'cpu.vendor': 'amd' })).toBe(true);
  });
});
