// Pure: plans, profiles and diagnostics → text for people, JSON for machines, markdown for PRs.
import type { Plan } from '../model/index.js';

export type { RenderOptions } from './colour.js';
export { renderPlanText } from './plan-text.js';
export { renderPlanMarkdown, MARKDOWN_LIMIT, type MarkdownOptions } from './plan-markdown.js';
export { renderDiagnostics, renderDiagnosticCount, sortDiagnostics } from './diagnostics.js';
export { renderProfilesText } from './profile-text.js';
export { groupHostPlans, formatHostList, type HostGroup } from './group.js';
export { renderSummaryLine, summarisePlan, summariseHost, type PlanSummary, type HostSummary, type HostState } from './summary.js';
export { buildFilePatch } from './file-diff.js';

export function renderPlanJson(plan: Plan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}
export { renderDriftText } from './drift-text.js';
export { renderDriftMarkdown } from './drift-markdown.js';
export { renderDriftJson } from './drift-json.js';
export { renderDriftPrometheus } from './drift-prometheus.js';
export { groupDriftHosts, summariseDrift, renderDriftSummaryLine, type DriftGroup, type DriftSummary } from './drift-group.js';
