// The value of one shell assignment as an editable template: literal text with every expansion replaced
// by a placeholder character, so command-line editing treats `$X` or `$(...)` as one opaque parameter,
// and the way back to shell source in a given quoting style with the expansions' own text restored.
import { assignmentTarget, lexShell, type Quote, type WordPart } from './shell-words.js';

// Private-use code points: they do not occur in GRUB files, and they are not whitespace, so each one is
// (part of) a parameter to the command-line tokenizer.
const PLACEHOLDER_BASE = 0xe000;
const SAFE_UNQUOTED = /^[A-Za-z0-9_.,:=+/@%-]*$/;

export interface FoundAssignment {
  /** Offsets of the value (after `=`) in the content. */
  valueStart: number;
  valueEnd: number;
  valueParts: WordPart[];
}

/** The assignment of `name` in the statement that starts on `line`; throws when there is none. */
export function findAssignment(content: string, name: string, line: number): FoundAssignment {
  for (const statement of lexShell(content)) {
    if (statement.firstLine !== line) continue;
    for (const word of statement.words) {
      const target = assignmentTarget(word);
      if (target?.name !== name) continue;
      return { valueStart: word.start + name.length + (target.append ? 2 : 1), valueEnd: word.end, valueParts: target.valueParts };
    }
  }
  throw new Error(`no assignment of ${name} on line ${line}`);
}

export function decodeTemplate(parts: WordPart[]): { template: string; opaque: string[] } {
  const opaque: string[] = [];
  let template = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      template += part.text;
    } else {
      template += String.fromCharCode(PLACEHOLDER_BASE + opaque.length);
      opaque.push(part.raw);
    }
  }
  return { template, opaque };
}

/** The quoting a rewritten value keeps: that of its first piece; double quotes for an empty value. */
export function quoteStyle(parts: WordPart[]): Quote {
  return parts[0]?.quote ?? 'double';
}

function isPlaceholder(c: string, count: number): boolean {
  const code = c.charCodeAt(0) - PLACEHOLDER_BASE;
  return code >= 0 && code < count;
}

export function encodeTemplate(template: string, opaque: string[], style: Quote): string {
  const chars = [...template];
  const literal = chars.filter((c) => !isPlaceholder(c, opaque.length)).join('');
  let quote = style;
  if (quote === 'single' && (opaque.length > 0 || literal.includes("'"))) quote = 'double';
  if (quote === 'none' && !SAFE_UNQUOTED.test(literal)) quote = 'double';
  if (quote === 'single') return `'${template}'`;
  let body = '';
  chars.forEach((c, i) => {
    if (!isPlaceholder(c, opaque.length)) {
      body += quote === 'double' ? c.replace(/[\\"$`]/, '\\$&') : c;
      return;
    }
    const raw = opaque[c.charCodeAt(0) - PLACEHOLDER_BASE]!;
    // `$X` followed by a name character would read as another variable: brace it.
    const next = chars[i + 1] ?? '';
    body += /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(raw) && /[A-Za-z0-9_]/.test(next) ? `\${${raw.slice(1)}}` : raw;
  });
  return quote === 'double' ? `"${body}"` : body;
}
