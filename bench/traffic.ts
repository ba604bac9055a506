// Bytes and TCP connections between the controller and the fleet, counted by the kernel (nftables
// counters on the output hook: loopback packets pass it once) so every tool is measured the same way,
// whatever its SSH stack. Byte counts are IP packet lengths: SSH payload plus IP/TCP headers.
import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);
const TABLE = 'kernfleet_bench';

export interface Traffic {
  /** Controller → hosts. */
  sentBytes: number;
  /** Hosts → controller. */
  receivedBytes: number;
  /** TCP connections opened to the fleet's sshd port. */
  connections: number;
}

interface NftCounterRule {
  rule?: { comment?: string; expr?: Array<{ counter?: { packets: number; bytes: number } }> };
}

/** Reads our three counters out of `nft -j list table`: they are told apart by their rule comment. */
export function parseCounters(json: string): Traffic {
  const items = (JSON.parse(json) as { nftables: NftCounterRule[] }).nftables;
  const counterOf = (comment: string) => {
    const rule = items.find((i) => i.rule?.comment === comment)?.rule;
    const counter = rule?.expr?.find((e) => e.counter)?.counter;
    if (!counter) throw new Error(`nft counter "${comment}" not found`);
    return counter;
  };
  return {
    sentBytes: counterOf('sent').bytes,
    receivedBytes: counterOf('received').bytes,
    connections: counterOf('syn').packets,
  };
}

export async function installCounters(port: number): Promise<void> {
  await removeCounters();
  const script = [
    `add table inet ${TABLE}`,
    `add chain inet ${TABLE} out { type filter hook output priority 0 ; policy accept ; }`,
    `add rule inet ${TABLE} out ip daddr 127.0.0.0/8 tcp dport ${port} counter comment "sent"`,
    `add rule inet ${TABLE} out ip saddr 127.0.0.0/8 tcp sport ${port} counter comment "received"`,
    `add rule inet ${TABLE} out ip daddr 127.0.0.0/8 tcp dport ${port} tcp flags & (syn | ack) == syn counter comment "syn"`,
  ].join('\n');
  const child = execFile('nft', ['-f', '/dev/stdin']);
  child.child.stdin?.end(script + '\n');
  await child;
}

export async function readCounters(): Promise<Traffic> {
  const { stdout } = await execFile('nft', ['-j', 'list', 'table', 'inet', TABLE]);
  return parseCounters(stdout);
}

/** What was counted between two readings (rule counters only grow: nft 1.0.6 cannot reset them). */
export function subtractTraffic(after: Traffic, before: Traffic): Traffic {
  return {
    sentBytes: after.sentBytes - before.sentBytes,
    receivedBytes: after.receivedBytes - before.receivedBytes,
    connections: after.connections - before.connections,
  };
}

export async function removeCounters(): Promise<void> {
  await execFile('nft', ['delete', 'table', 'inet', TABLE]).catch(() => undefined);
}
