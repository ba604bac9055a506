// The one place colours are chosen, so every renderer paints risk and severity the same way and
// `color: false` turns all of it off at once (NO_COLOR, CI logs, files).
import picocolors from 'picocolors';
import type { Diagnostic, Risk } from '../model/index.js';

export type Palette = ReturnType<typeof picocolors.createColors>;

export interface RenderOptions {
  /** ANSI colours (off for NO_COLOR and non-TTY output). */
  color: boolean;
}

export function createPalette(color: boolean): Palette {
  return picocolors.createColors(color);
}

const riskPaint = { low: 'green', medium: 'yellow', high: 'red' } as const;

/** The word is always there: colour is never the only signal (colour-blind readers, plain logs). */
export function renderRiskBadge(risk: Risk, palette: Palette): string {
  return palette.bold(palette[riskPaint[risk]](`[${risk.toUpperCase()}]`));
}

export function paintRisk(risk: Risk, text: string, palette: Palette): string {
  return palette[riskPaint[risk]](text);
}

const severityPaint = { error: 'red', warning: 'yellow', info: 'cyan' } as const;

export function paintSeverity(severity: Diagnostic['severity'], text: string, palette: Palette): string {
  return palette.bold(palette[severityPaint[severity]](text));
}
