import { describe, expect, it } from 'vitest';
import { expandHostRange } from '../../../src/inventory/index.js';
import { splitHostPort } from '../../../src/inventory/host-range.js';

describe('expandHostRange', () => {
  it('expands numeric ranges, keeping the zero padding written', () => {
    // hv[08:11] crosses a decade, so the padding must be kept on both sides.
    expect(expandHostRange('hv[08:11].lab')).toEqual({ names: ['hv08.lab', 'hv09.lab', 'hv10.lab', 'hv11.lab'] });
    expect(expandHostRange('node[8:10]')).toEqual({ names: ['node8', 'node9', 'node10'] });
  });

  it('expands letters, steps and several ranges in one name', () => {
    // A rack letter and a slot number combine into a grid of names.
    expect(expandHostRange('db-[a:c]')).toEqual({ names: ['db-a', 'db-b', 'db-c'] });
    expect(expandHostRange('n[0:10:5]')).toEqual({ names: ['n0', 'n5', 'n10'] });
    expect(expandHostRange('r[a:b]s[1:2]')).toEqual({ names: ['ras1', 'ras2', 'rbs1', 'rbs2'] });
  });

  it('refuses ranges that cannot be expanded', () => {
    // Backwards, mixed and malformed ranges.
    expect(expandHostRange('hv[5:1]')).toEqual({ error: 'host range "[5:1]" runs backwards' });
    expect(expandHostRange('hv[1:c]')).toEqual({ error: 'host range "[1:c]" must be numbers or single letters' });
    expect(expandHostRange('hv[1]')).toEqual({ error: 'host range "[1]" must be [begin:end] or [begin:end:step]' });
  });
});

describe('splitHostPort', () => {
  it('separates a port from a host, but not from a range or an IPv6 address', () => {
    // Ansible accepts host:port, [v6]:port, and ranges with colons in brackets.
    expect(splitHostPort('hv01:2222')).toEqual({ name: 'hv01', port: 2222 });
    expect(splitHostPort('hv[01:03]:2222')).toEqual({ name: 'hv[01:03]', port: 2222 });
    expect(splitHostPort('hv[01:03]')).toEqual({ name: 'hv[01:03]', port: null });
    expect(splitHostPort('[2001:db8::1]:22')).toEqual({ name: '2001:db8::1', port: 22 });
    expect(splitHostPort('2001:db8::1')).toEqual({ name: '2001:db8::1', port: null });
  });
});
