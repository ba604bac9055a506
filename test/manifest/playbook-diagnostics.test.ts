import { describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../src/manifest/index.js';
import { rejectionLines } from './render-diagnostics.js';

const dir = 'test/fixtures/manifest/bad';

describe('playbook diagnostics', () => {
  it('points at misspelt keys and suggests the right one', async () => {
    // A play misspells `options` inside modules and `sysctl` at the top level.
    expect(await rejectionLines(() => loadPlaybooks([`${dir}/unknown-key.yml`]))).toEqual([
      `${dir}/unknown-key.yml:5:5: error: unknown key "optons" (did you mean "options"?)`,
      `${dir}/unknown-key.yml:7:3: error: unknown key "sysctrl" (did you mean "sysctl"?)`,
    ]);
  });

  it('explains every bad value at its position, with anyOf noise folded into one message', async () => {
    // One play with an injected module name, a scalar where a list belongs, a path as a file name,
    // a list as a sysctl value, shell metacharacters, a key without a dot, `false` as a flag and a typo'd vendor.
    expect(await rejectionLines(() => loadPlaybooks([`${dir}/values.yml`]))).toEqual([
      `${dir}/values.yml:6:9: error: "vfio;rm -rf /" is not a valid module name (letters, digits, - and _ only)`,
      `${dir}/values.yml:7:16: error: expected a list, got a string ("nouveau")`,
      `${dir}/values.yml:9:11: error: "../etc/passwd" is not a valid file name (a bare name of letters, digits, ., _ and -)`,
      `${dir}/values.yml:11:22: error: expected a string, a number or a map, got a list`,
      `${dir}/values.yml:12:28: error: "|/bin/sh $HOME" is not a safe value (letters, digits, spaces and . , : / + - _ = @ % only, or a {{ var }} template)`,
      `${dir}/values.yml:13:7: error: "badkey" is not a sysctl key (dotted, such as vm.swappiness)`,
      `${dir}/values.yml:16:14: error: expected a string, a number or true, got false`,
      `${dir}/values.yml:18:17: error: "intle" is not one of intel, amd, other (did you mean "intel"?)`,
    ]);
  });

  it('refuses sysctl floors that are not a non-negative integer or carry other keys', async () => {
    // One play with a negative floor, a floor in exponent notation, `max` instead of `min`, a fraction and an extra key.
    expect(await rejectionLines(() => loadPlaybooks([`${dir}/floors.yml`]))).toEqual([
      `${dir}/floors.yml:5:27: error: -1 must be at least 0`,
      `${dir}/floors.yml:6:43: error: "52e4" is not a floor (a non-negative integer, or a {{ var }} template)`,
      `${dir}/floors.yml:7:27: error: missing required key "min"`,
      `${dir}/floors.yml:7:29: error: unknown key "max" (did you mean "min"?)`,
      `${dir}/floors.yml:8:44: error: expected a whole number or a string, got a number (1.5)`,
      `${dir}/floors.yml:9:35: error: unknown key "exact" (allowed keys: min)`,
    ]);
  });

  it('reports missing keys, wrong shapes and repeated list items', async () => {
    // The first play has no name and a number for `kernel`; the second lists kvm twice; the third leaves sysctl empty.
    expect(await rejectionLines(() => loadPlaybooks([`${dir}/structure.yml`]))).toEqual([
      `${dir}/structure.yml:1:3: error: missing required key "name"`,
      `${dir}/structure.yml:2:11: error: expected a map, got a number (5.15)`,
      `${dir}/structure.yml:6:17: error: "kvm" is listed twice (items 0 and 1)`,
      `${dir}/structure.yml:9:3: error: expected a map, got nothing`,
    ]);
  });

  it('turns YAML syntax errors and duplicate keys into positioned diagnostics', async () => {
    // One file is mis-indented, another sets the same sysctl twice.
    expect(await rejectionLines(() => loadPlaybooks([`${dir}/syntax.yml`, `${dir}/duplicate-key.yml`]))).toEqual([
      `${dir}/duplicate-key.yml:6:7: error: duplicate key "vm.swappiness" (each key may appear once in a map)`,
      `${dir}/syntax.yml:6:1: error: YAML: All mapping items must start at the same column`,
    ]);
  });

  it('refuses an alias bomb instead of expanding it', async () => {
    // Nested aliases that would expand to 59,049 strings.
    expect(await rejectionLines(() => loadPlaybooks([`${dir}/alias-bomb.yml`]))).toEqual([
      `${dir}/alias-bomb.yml:1:1: error: YAML: Excessive alias count indicates a resource exhaustion attack`,
    ]);
  });

  it('says what a playbook should look like when it is empty or not a list', async () => {
    // An empty file and a file holding one play without the surrounding list.
    expect(await rejectionLines(() => loadPlaybooks([`${dir}/not-a-list.yml`, `${dir}/empty.yml`]))).toEqual([
      `${dir}/empty.yml:1:1: error: the playbook is empty (a playbook is a list of plays: - name: ...\n  hosts: ...)`,
      `${dir}/not-a-list.yml:1:1: error: expected a list, got a map`,
    ]);
  });

  it('names a missing file and still reports the errors of the files that exist', async () => {
    // Two playbooks are given: one does not exist, the other has an unknown key.
    expect(await rejectionLines(() => loadPlaybooks(['test/fixtures/manifest/nope.yml', `${dir}/unknown-key.yml`]))).toEqual([
      `${dir}/unknown-key.yml:5:5: error: unknown key "optons" (did you mean "options"?)`,
      `${dir}/unknown-key.yml:7:3: error: unknown key "sysctrl" (did you mean "sysctl"?)`,
      'error: playbook not found: test/fixtures/manifest/nope.yml',
    ]);
  });
});
