// Scale and clean-up: 200 hosts start in seconds on one machine, and stop() leaves nothing behind.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sshExec } from './clients.js';
import { startFleet } from './fleet.js';
import { findProcessesMentioning } from './processes.js';


describe('a fleet of 200 hosts', () => {
  it('starts, answers on its first and last address, and stops without leftovers', async () => {
    // 200 Debian hosts: 13 sshd daemons, one root each; a session is left open when stop() runs.
    const started = Date.now();
    const fleet = await startFleet({ hosts: Array.from({ length: 200 }, (_, i) => ({ name: `h${i + 1}`, variant: 'debian12' as const })) });
    const startSeconds = (Date.now() - started) / 1000;
    try {
      expect(fleet.pids).toHaveLength(13);
      expect(fleet.hosts[199]!.address).toBe('127.0.10.200');
      for (const name of ['h1', 'h200']) expect((await sshExec(fleet, name, 'uname -n')).stdout).toBe(`${name}\n`);
      void sshExec(fleet, 'h100', 'sleep 600');
      await new Promise((r) => setTimeout(r, 1500));
      expect(findProcessesMentioning(fleet.baseDir).length).toBeGreaterThan(13);
    } finally {
      const stopping = Date.now();
      await fleet.stop();
      console.log(`200 hosts: start ${startSeconds.toFixed(1)} s, stop ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
    }
    expect(findProcessesMentioning(fleet.baseDir)).toEqual([]);
    expect(existsSync(fleet.baseDir)).toBe(false);
    expect(startSeconds).toBeLessThan(60);
  });
});
