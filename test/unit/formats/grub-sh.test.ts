// The GRUB evaluator against the shell grub-mkconfig really uses: /bin/sh sources the same text and prints
// the variable, so quoting, escaping and expansion are checked against the real thing, not our reading.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editGrubVarParams, evaluateGrub, setGrubVar } from '../../../src/formats/grub.js';

function sourceWithSh(content: string, name: string): string {
  return execFileSync('/bin/sh', ['-c', `${content}\nprintf %s "$${name}"`], { encoding: 'utf8' });
}

function evaluate(content: string, name: string): string | undefined {
  return evaluateGrub([{ path: '/etc/default/grub', content }]).vars[name]?.value;
}

// Pieces of a shell word in every quoting the evaluator claims to understand.
const piece = fc.oneof(
  fc.string({ maxLength: 6 }).map((s) => `'${s.replace(/'/g, '')}'`),
  fc.string({ maxLength: 6 }).map((s) => `"${s.replace(/["\\$`]/g, (c) => `\\${c}`)}"`),
  fc.stringMatching(/^[A-Za-z0-9_.,:=+/@%-]{1,5}$/),
  fc.constantFrom('$A', '${A}', '"$A"', '"${A}x"', '\\ ', '\\$', '"\\\\"', '"a \\" b"'),
);

describe('GRUB evaluation agrees with /bin/sh', () => {
  it('for random assignments, for setGrubVar with any printable value, and for parameter edits', () => {
    // A file that sets A, then X from random quoted pieces that may expand $A.
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 5 }), fc.string({ maxLength: 20 }), (pieces, value) => {
        const content = `A='pre val'\nX=${pieces.join('')}\n`;
        expect(evaluate(content, 'X')).toBe(sourceWithSh(content, 'X'));
        expect(sourceWithSh(setGrubVar(content, 'X', value, 2), 'X')).toBe(value);
        const edited = editGrubVarParams(content, 'X', 2, { k: 'v w', 'x"y': null }, []);
        expect(evaluate(edited, 'X')).toBe(sourceWithSh(edited, 'X'));
      }),
      { numRuns: 40 },
    );
  });
});
