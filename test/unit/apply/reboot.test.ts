import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../../src/apply/events.js';
import { openWhenReachable, rebootHost, type RebootContext } from '../../../src/apply/reboot.js';
import type { Step } from '../../../src/model/index.js';
import { FakeRebootingHost } from './fake-rebooting-host.js';

const STEP: Pick<Step, 'commands' | 'become'> = { commands: [['reboot']], become: true };
const BACKOFF = { initialMs: 20, maxMs: 80 };

function contextFor(host: FakeRebootingHost, events: ApplyEvent[], overrides: Partial<RebootContext> = {}): RebootContext {
  return { host: host.name, open: host.open, timeoutMs: 3_000, backoff: BACKOFF, onEvent: (e) => void events.push(e), ...overrides };
}

describe('rebootHost', () => {
  it('reboots, keeps trying while the host is down, and returns a connection to the new boot', async () => {
    // The host refuses connections for 300 ms after `reboot`.
    const host = new FakeRebootingHost('hv07', { downMs: 300 });
    const events: ApplyEvent[] = [];
    const first = await host.open();
    const outcome = await rebootHost(first, STEP, contextFor(host, events));
    expect(outcome).toMatchObject({ ok: true, bootId: 'boot-2', rebooted: true });
    expect(host.failedConnects).toBeGreaterThan(0);
    expect(events[0]).toEqual({ kind: 'reboot-started', host: 'hv07', bootId: 'boot-1' });
    expect(events.filter((e) => e.kind === 'reboot-waiting').length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ kind: 'reboot-back', host: 'hv07', bootId: 'boot-2' });
    expect((events.at(-1) as { elapsedMs: number }).elapsedMs).toBeGreaterThanOrEqual(300);
    // The connection that went down is closed; the one handed back works.
    expect(host.closed).toBe(1);
    if (outcome.ok) expect((await outcome.transport.exec({ argv: ['cat', '/proc/sys/kernel/random/boot_id'] })).stdout).toBe('boot-2\n');
  });

  it('does not take a host that still answers with the old boot id for one that came back', async () => {
    // `reboot` returns and the host keeps serving SSH for 200 ms before it goes down, as real ones do.
    const host = new FakeRebootingHost('hv01', { downMs: 200, lingerMs: 200 });
    const outcome = await rebootHost(await host.open(), STEP, contextFor(host, []));
    expect(outcome).toMatchObject({ ok: true, bootId: 'boot-2' });
    expect(host.bootChangedAt[0]! - host.rebootedAt[0]!).toBeGreaterThanOrEqual(200);
    expect(host.opened).toBeGreaterThan(2);
  });

  it('fails a host that does not come back within the timeout', async () => {
    // Down for 5 s, timeout 1 s.
    const host = new FakeRebootingHost('hv02', { downMs: 5_000 });
    const started = Date.now();
    const outcome = await rebootHost(await host.open(), STEP, contextFor(host, [], { timeoutMs: 1_000 }));
    expect(outcome).toEqual({ ok: false, message: 'did not come back within 1 s' });
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('saves the boot id before sending reboot: the listener finishes first', async () => {
    // The journal write (the listener) is slow.
    const host = new FakeRebootingHost('hv03', { downMs: 50 });
    let savedAt = 0;
    const onEvent = async (e: ApplyEvent) => {
      if (e.kind !== 'reboot-started') return;
      await new Promise((r) => setTimeout(r, 100));
      savedAt = Date.now();
    };
    await rebootHost(await host.open(), STEP, contextFor(host, [], { onEvent }));
    expect(savedAt).toBeGreaterThan(0);
    expect(host.rebootedAt[0]).toBeGreaterThanOrEqual(savedAt);
  });

  it('does not reboot again a host a resumed run finds with another boot id than it recorded', async () => {
    // The run died while hv04 was rebooting; the journal has the boot id from before.
    const host = new FakeRebootingHost('hv04', { downMs: 50 });
    host.bootId = 'boot-9';
    const events: ApplyEvent[] = [];
    const outcome = await rebootHost(await host.open(), STEP, contextFor(host, events, { bootIdBefore: 'boot-8' }));
    expect(outcome).toMatchObject({ ok: true, bootId: 'boot-9', rebooted: false });
    expect(host.rebootedAt).toEqual([]);
    expect(events).toEqual([{ kind: 'reboot-back', host: 'hv04', bootId: 'boot-9', elapsedMs: 0 }]);
  });

  it('reboots a resumed host whose boot id is still the recorded one (the reboot never went out)', async () => {
    // The run died after saving the journal, before `reboot` ran.
    const host = new FakeRebootingHost('hv05', { downMs: 50 });
    const outcome = await rebootHost(await host.open(), STEP, contextFor(host, [], { bootIdBefore: 'boot-1' }));
    expect(outcome).toMatchObject({ ok: true, bootId: 'boot-2', rebooted: true });
    expect(host.rebootedAt).toHaveLength(1);
  });

  it('fails at once when reboot itself is refused', async () => {
    // A container: systemd is not PID 1.
    const host = new FakeRebootingHost('ct01', { downMs: 50, rebootCode: 1 });
    const outcome = await rebootHost(await host.open(), STEP, contextFor(host, []));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toMatch(/^reboot exited 1: System has not been booted/);
    expect(host.opened).toBe(1);
  });
});

describe('openWhenReachable', () => {
  it('waits for a host that is still rebooting, and gives up after the timeout', async () => {
    // hv06 went down 0 ms ago for 250 ms; hv08 for 5 s.
    const soon = new FakeRebootingHost('hv06', { downMs: 250 });
    await (await soon.open()).exec({ argv: ['reboot'] });
    const transport = await openWhenReachable({ host: 'hv06', open: soon.open, timeoutMs: 2_000, backoff: BACKOFF });
    expect(transport.host).toBe('hv06');
    expect(soon.failedConnects).toBeGreaterThan(0);
    const late = new FakeRebootingHost('hv08', { downMs: 5_000 });
    await (await late.open()).exec({ argv: ['reboot'] });
    await expect(openWhenReachable({ host: 'hv08', open: late.open, timeoutMs: 1_000, backoff: BACKOFF })).rejects.toThrow('hv08 did not come back within 1 s');
  });
});
