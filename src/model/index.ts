export type * from './generated/plan.js';
export type * from './generated/profile.js';
export type { Play, Playbook } from './generated/playbook.js';
export type * from './desired.js';
export type * from './inventory.js';
export type * from './play.js';
export type { DriftArea, DriftCause, DriftFinding, DriftHost, DriftLayer, DriftReport } from './generated/drift.js';
