import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBatchOutput, runCommandBatch } from '../../../src/apply/command-batch.js';
import type { Transport } from '../../../src/transport/index.js';
import { startLocalHost, type LocalHost } from './local-host.js';

let host: LocalHost;
beforeEach(async () => {
  host = await startLocalHost();
});
afterEach(() => host.dispose());

describe('runCommandBatch', () => {
  it('runs every command in one exec and hands back each one’s status and output', async () => {
    // Three commands that print to stdout and stderr; one exec must carry all of them.
    const result = await runCommandBatch(host.transport, [['sh', '-c', 'echo one'], ['sh', '-c', 'echo two >&2'], ['printf', '%s', 'no newline']], { become: false });
    expect(host.commands).toHaveLength(1);
    expect(result).toEqual({ ran: [{ code: 0, output: 'one\n' }, { code: 0, output: 'two\n' }, { code: 0, output: 'no newline' }] });
  });

  it('stops at the first command that fails, as separate execs would', async () => {
    // The second command exits 3; the third would create a file if it ran.
    const result = await runCommandBatch(host.transport, [['true'], ['sh', '-c', 'echo "FATAL: nope" >&2; exit 3'], ['touch', `${host.root}/ran`]], { become: false });
    expect(result.ran).toEqual([{ code: 0, output: '' }, { code: 3, output: 'FATAL: nope\n' }]);
    expect(result.error).toBeUndefined();
    const { code } = await host.transport.exec({ argv: ['test', '-e', `${host.root}/ran`] });
    expect(code).toBe(1);
  });

  it('cannot be fooled by a command that prints something like a marker', async () => {
    // A command prints a line shaped like the batch's markers, with a guessed nonce.
    const result = await runCommandBatch(host.transport, [['sh', '-c', 'printf "\\n@@kf-ran-0000000000000000 0 0\\nafter\\n"'], ['true']], { become: false });
    expect(result.ran).toHaveLength(2);
    expect(result.ran[0]?.output).toContain('after');
  });

  it('quotes arguments so that shell text in them stays text', async () => {
    // An argument holding quotes, $ and a command substitution.
    const tricky = `it's $(touch ${host.root}/pwned) "quoted"`;
    const result = await runCommandBatch(host.transport, [['printf', '%s', tricky]], { become: false });
    expect(result.ran).toEqual([{ code: 0, output: tricky }]);
    expect((await host.transport.exec({ argv: ['test', '-e', `${host.root}/pwned`] })).code).toBe(1);
  });

  it('says which commands are unaccounted for when the exec itself fails', async () => {
    // A transport whose connection drops: nothing is reported as run, and the error is handed back.
    const broken: Transport = { host: 'hv01', exec: () => Promise.reject(new Error('connection reset')), close: async () => undefined };
    const result = await runCommandBatch(broken, [['true']], { become: false });
    expect(result).toEqual({ ran: [], error: 'connection reset' });
  });
});

describe('parseBatchOutput', () => {
  it('splits output at the markers carrying the nonce and nothing else', () => {
    // Output of two commands, the first without a trailing newline.
    const marker = '@@kf-ran-abc';
    expect(parseBatchOutput(`x\n${marker} 0 0\ny\n\n${marker} 1 7\n`, marker)).toEqual([{ code: 0, output: 'x' }, { code: 7, output: 'y\n' }]);
  });
});
