// The drift report for machines: schemas/drift.schema.json, as is.
import type { DriftReport } from '../model/generated/drift.js';

export function renderDriftJson(report: DriftReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
