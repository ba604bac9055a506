// Pure: plans, profiles and diagnostics → text for people, JSON for machines, markdown for PRs.
import type { Diagnostic, HostProfile, Plan } from '../model/index.js';

export interface RenderOptions {
  /** ANSI colours (off for NO_COLOR and non-TTY output). */
  color: boolean;
}

export function renderPlanText(plan: Plan, options: RenderOptions): string {
  throw new Error('not implemented: renderPlanText');
}

export function renderPlanJson(plan: Plan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

export function renderPlanMarkdown(plan: Plan): string {
  throw new Error('not implemented: renderPlanMarkdown');
}

/** Compiler-style: `file:line:col: error: message`, a code frame from `sources`, and the hint. */
export function renderDiagnostics(diagnostics: Diagnostic[], sources: Record<string, string>, options: RenderOptions): string {
  throw new Error('not implemented: renderDiagnostics');
}

export function renderProfilesText(profiles: HostProfile[], options: RenderOptions): string {
  throw new Error('not implemented: renderProfilesText');
}
