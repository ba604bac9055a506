// Counts shared by the text and markdown plans: per host, per plan, and the one-line plan summary.
import type { HostPlan, Plan, Risk } from '../model/index.js';

/** change: steps to run; blocked: only changes that cannot be done; converged: nothing left. */
export type HostState = 'change' | 'converged' | 'blocked' | 'error' | 'skipped';

export type RiskCounts = Record<Risk, number>;

export interface HostSummary {
  state: HostState;
  steps: number;
  risks: RiskCounts;
  /** Steps that never run automatically (high risk, typed confirmation or runbook). */
  manual: number;
  blocked: number;
  reboot: boolean;
}

export interface PlanSummary {
  hosts: number;
  states: Record<HostState, number>;
  steps: number;
  risks: RiskCounts;
  blocked: number;
  /** Hosts that need a reboot. */
  reboot: number;
}

const RISKS: Risk[] = ['low', 'medium', 'high'];

export function summariseHost(host: HostPlan): HostSummary {
  const risks: RiskCounts = { low: 0, medium: 0, high: 0 };
  for (const step of host.steps) risks[step.risk] += 1;
  const blocked = host.changes.filter((change) => change.blocked !== undefined).length;
  return {
    state: decideHostState(host, blocked),
    steps: host.steps.length,
    risks,
    manual: host.steps.filter((step) => !step.autoExecute).length,
    blocked,
    reboot: host.steps.some((step) => step.restart === 'system'),
  };
}

function decideHostState(host: HostPlan, blocked: number): HostState {
  if (host.status === 'error') return 'error';
  if (host.status === 'skipped') return 'skipped';
  if (host.steps.length > 0) return 'change';
  return blocked > 0 ? 'blocked' : 'converged';
}

export function summarisePlan(plan: Plan): PlanSummary {
  const summary: PlanSummary = {
    hosts: plan.hosts.length,
    states: { change: 0, converged: 0, blocked: 0, error: 0, skipped: 0 },
    steps: 0,
    risks: { low: 0, medium: 0, high: 0 },
    blocked: 0,
    reboot: 0,
  };
  for (const host of plan.hosts) {
    const one = summariseHost(host);
    summary.states[one.state] += 1;
    summary.steps += one.steps;
    for (const risk of RISKS) summary.risks[risk] += one.risks[risk];
    summary.blocked += one.blocked;
    if (one.reboot) summary.reboot += 1;
  }
  return summary;
}

export function countNoun(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** "31 steps: 20 low, 9 medium, 2 high"; zero counts are left out to keep it short. */
export function describeStepCounts(steps: number, risks: RiskCounts): string {
  const parts = RISKS.filter((risk) => risks[risk] > 0).map((risk) => `${risks[risk]} ${risk}`);
  return parts.length > 0 ? `${countNoun(steps, 'step')}: ${parts.join(', ')}` : countNoun(steps, 'step');
}

/** `Plan: 12 hosts — 9 to change (31 steps: 20 low, 9 medium, 2 high), 2 converged, 1 error; 3 need a reboot` */
export function renderSummaryLine(summary: PlanSummary): string {
  const { states } = summary;
  const toChange = states.change > 0 ? `${states.change} to change (${describeStepCounts(summary.steps, summary.risks)})` : '0 to change';
  const others = [
    states.converged > 0 ? `${states.converged} converged` : '',
    states.blocked > 0 ? `${states.blocked} blocked` : '',
    states.skipped > 0 ? `${states.skipped} skipped` : '',
    states.error > 0 ? countNoun(states.error, 'error') : '',
  ].filter(Boolean);
  const tails = [
    summary.reboot > 0 ? `${summary.reboot} ${summary.reboot === 1 ? 'needs' : 'need'} a reboot` : '',
    summary.blocked > 0 ? `${countNoun(summary.blocked, 'change')} cannot be done` : '',
  ].filter(Boolean);
  const head = `Plan: ${countNoun(summary.hosts, 'host')} — ${[toChange, ...others].join(', ')}`;
  return tails.length > 0 ? `${head}; ${tails.join('; ')}` : head;
}
