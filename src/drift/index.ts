// Drift: what differs from the playbooks on each host, in which layer, and why. Pure.
export { assembleDriftReport, buildDriftReport, buildHostDrift, DRIFT_FORMAT_VERSION, type DriftInput, type DriftMeta } from './report.js';
export { buildDriftInput } from './fleet-input.js';
export { buildLastApply, digestDesiredState, readLastApply, renderLedgerWithLastApply, LAST_APPLY_KEY, type LastApply, type LastApplyState } from './last-apply.js';
export { findCmdlineDecider, findShadowedSysctls, type CmdlineDecider, type ShadowedSysctl } from './overrides.js';
export { explainChange, type DriftContext, type Explanation } from './causes.js';
