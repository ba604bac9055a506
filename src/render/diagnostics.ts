// Compiler-style diagnostics (`file:line:col: error: message` plus a code frame) so editors and CI
// annotations jump straight to the offending line.
import type { Diagnostic } from '../model/index.js';
import { createPalette, type RenderOptions, paintSeverity, type Palette } from './colour.js';
import { countNoun } from './summary.js';

const SEVERITY_ORDER: Diagnostic['severity'][] = ['error', 'warning', 'info'];

/** Errors first, then warnings, then infos; input order within each (it is declaration order). */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return SEVERITY_ORDER.flatMap((severity) => diagnostics.filter((d) => d.severity === severity));
}

/** Compiler-style: `file:line:col: error: message`, a code frame from `sources`, and the hint. */
export function renderDiagnostics(diagnostics: Diagnostic[], sources: Record<string, string>, options: RenderOptions): string {
  if (diagnostics.length === 0) return '';
  const palette = createPalette(options.color);
  const blocks = sortDiagnostics(diagnostics).map((d) => renderDiagnostic(d, sources, palette));
  return `${blocks.join('\n')}\n${renderDiagnosticCount(diagnostics)}\n`;
}

/** "2 errors, 1 warning" (and infos only when there are some). */
export function renderDiagnosticCount(diagnostics: Diagnostic[]): string {
  const count = (severity: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === severity).length;
  const parts = [countNoun(count('error'), 'error'), countNoun(count('warning'), 'warning')];
  if (count('info') > 0) parts.push(countNoun(count('info'), 'info', 'infos'));
  return parts.join(', ');
}

/** One diagnostic: the heading line, then a code frame (or the hint alone when no source text is at hand). */
export function renderDiagnostic(d: Diagnostic, sources: Record<string, string>, palette: Palette): string {
  const frame = d.source ? buildCodeFrame(sources[d.source.file], d.source.line, d.source.col, d.hint, d.severity, palette) : null;
  const lines = [renderDiagnosticHeading(d, palette)];
  if (frame) lines.push(...frame);
  else if (d.hint) lines.push(`  ${palette.dim('hint:')} ${d.hint}`);
  return lines.join('\n');
}

function renderDiagnosticHeading(d: Diagnostic, palette: Palette): string {
  const severity = paintSeverity(d.severity, `${d.severity}:`, palette);
  if (d.source) {
    const where = palette.bold(`${d.source.file}:${d.source.line}:${d.source.col}:`);
    const message = d.host ? `${d.host}: ${d.message}` : d.message;
    return `${where} ${severity} ${message}`;
  }
  // Without a file there is nothing to jump to: the host (or the tool) is the location, the code the key.
  const where = palette.bold(`${d.host ?? 'kernfleet'}:`);
  return `${where} ${severity} ${d.message} ${palette.dim(`(${d.code})`)}`;
}

/**
 * The line (and the one before it when there is one), a gutter with line numbers, and a caret under
 * the column with the hint beside it. null when the text or the line is not available.
 */
function buildCodeFrame(
  text: string | undefined,
  line: number,
  col: number,
  hint: string | undefined,
  severity: Diagnostic['severity'],
  palette: Palette,
): string[] | null {
  if (text === undefined) return null;
  const sourceLines = text.split(/\r?\n/);
  const target = sourceLines[line - 1];
  if (target === undefined || line < 1) return null;
  const first = Math.max(1, line - 1);
  const width = String(line).length;
  const gutter = (label: string) => palette.dim(`   ${label.padStart(width)} |`);
  const frame: string[] = [];
  for (let number = first; number <= line; number += 1) {
    const content = sourceLines[number - 1] ?? '';
    frame.push(content === '' ? gutter(String(number)) : `${gutter(String(number))} ${content}`);
  }
  // Tabs stay tabs so the caret lands under the right character whatever the tab width.
  const column = Math.min(Math.max(col, 1), target.length + 1);
  const indent = target.slice(0, column - 1).replace(/[^\t]/g, ' ');
  const caret = paintSeverity(severity, '^', palette);
  frame.push(`${gutter('')} ${indent}${caret}${hint ? ` ${hint}` : ''}`);
  return frame;
}
