// Client authentication for one SSH hop: the agent, then each private key file, in OpenSSH's order.
// Reads the key files (I/O); encrypted keys are skipped because we have no passphrase prompt.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import ssh2, { type AnyAuthMethod } from 'ssh2';
import type { SshTarget } from './ssh-target.js';

export interface AuthPlan {
  methods: AnyAuthMethod[];
  /** What will be offered, for the auth-failed message ("agent", "~/.ssh/id_ed25519"). */
  offered: string[];
  /** Keys named but not usable, with the reason. */
  skipped: string[];
}

export async function buildAuthPlan(target: SshTarget, env: NodeJS.ProcessEnv): Promise<AuthPlan> {
  const plan: AuthPlan = { methods: [], offered: [], skipped: [] };
  const agent = target.identityAgent ?? env.SSH_AUTH_SOCK;
  if (!target.identitiesOnly && agent !== undefined && agent !== '' && agent.toLowerCase() !== 'none' && existsSync(agent)) {
    plan.methods.push({ type: 'agent', username: target.user, agent });
    plan.offered.push(`agent (${agent})`);
  }
  for (const file of target.identityFiles) {
    const loaded = await loadPrivateKey(file);
    if (typeof loaded === 'string') {
      if (loaded !== 'missing') plan.skipped.push(`${file}: ${loaded}`);
      continue;
    }
    plan.methods.push({ type: 'publickey', username: target.user, key: loaded });
    plan.offered.push(file);
  }
  return plan;
}

/** The key, or why it cannot be used ('missing' for a file that is not there: ssh skips those silently). */
async function loadPrivateKey(file: string): Promise<Buffer | string> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message;
  }
  const parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error) {
    return /encrypted|passphrase/i.test(parsed.message)
      ? 'encrypted (passphrase-protected keys are not supported; load it into ssh-agent)'
      : parsed.message;
  }
  return data;
}

export function describeAuthFailure(target: SshTarget, plan: AuthPlan): string {
  const offered = plan.offered.length > 0 ? plan.offered.join(', ') : 'nothing (no agent, no usable key)';
  const skipped = plan.skipped.length > 0 ? `; skipped ${plan.skipped.join('; ')}` : '';
  return `authentication failed for ${target.user}@${target.hostName}:${target.port}: tried ${offered}${skipped}`;
}
