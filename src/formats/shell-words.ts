// A lexer for the small shell subset that GRUB defaults files are written in: words made of unquoted,
// 'single' and "double" quoted pieces with $VAR / ${VAR}, split into simple commands at newlines and
// operators. Anything it does not evaluate ($(...), `...`, ${VAR:-x}, $1, redirections, subshells) is
// kept as an opaque part with its source text, so callers can refuse to rewrite it yet keep it intact.

export type Quote = 'none' | 'single' | 'double';

export type WordPart =
  | { kind: 'text'; text: string; quote: Quote }
  | { kind: 'var'; name: string; raw: string; quote: Quote }
  | { kind: 'opaque'; raw: string; quote: Quote; reason: string };

export interface ShellWord {
  /** Offsets of the word in the source text. */
  start: number;
  end: number;
  parts: WordPart[];
}

export interface ShellStatement {
  words: ShellWord[];
  /** 1-based lines of the first and last character. */
  firstLine: number;
  lastLine: number;
  /** What ended it: a newline (or the end of the text), or an operator such as ; && | &. */
  terminator: string;
  /** A subshell, redirection or pipeline character was met: not a simple command. */
  complex: boolean;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATOR_CHARS = ';&|';
const UNSUPPORTED_CHARS = '()<>';

class Lexer {
  private i = 0;
  constructor(private readonly src: string) {}

  private peek(offset = 0): string {
    return this.src[this.i + offset] ?? '';
  }

  lineAt(offset: number): number {
    let line = 1;
    for (let k = 0; k < offset && k < this.src.length; k++) if (this.src[k] === '\n') line++;
    return line;
  }

  statements(): ShellStatement[] {
    const out: ShellStatement[] = [];
    while (this.i < this.src.length) out.push(this.statement());
    return out.filter((s) => s.words.length > 0 || s.complex);
  }

  private statement(): ShellStatement {
    const words: ShellWord[] = [];
    const start = this.i;
    let complex = false;
    let terminator = '\n';
    for (;;) {
      const c = this.peek();
      if (c === '') break;
      if (c === ' ' || c === '\t' || c === '\r') {
        this.i++;
      } else if (c === '\\' && this.peek(1) === '\n') {
        this.i += 2;
      } else if (c === '\n') {
        this.i++;
        break;
      } else if (c === '#') {
        while (this.peek() !== '' && this.peek() !== '\n') this.i++;
      } else if (OPERATOR_CHARS.includes(c)) {
        terminator = c;
        this.i++;
        if (this.peek() === c) terminator += this.src[this.i++];
        break;
      } else if (UNSUPPORTED_CHARS.includes(c)) {
        complex = true;
        this.i++;
      } else {
        words.push(this.word());
      }
    }
    const end = Math.max(start, this.i - 1);
    return { words, firstLine: this.lineAt(start + this.leadingBlank(start)), lastLine: this.lineAt(end), terminator, complex };
  }

  /** Blank characters before the statement's first word, so its first line is where it really begins. */
  private leadingBlank(start: number): number {
    let k = start;
    while (k < this.src.length && ' \t\r'.includes(this.src[k]!)) k++;
    return k - start;
  }

  private word(): ShellWord {
    const start = this.i;
    const parts: WordPart[] = [];
    const text = (t: string, quote: Quote): void => {
      const last = parts[parts.length - 1];
      if (last?.kind === 'text' && last.quote === quote) last.text += t;
      else parts.push({ kind: 'text', text: t, quote });
    };
    for (;;) {
      const c = this.peek();
      if (c === '' || ' \t\r\n'.includes(c) || OPERATOR_CHARS.includes(c) || UNSUPPORTED_CHARS.includes(c)) break;
      if (c === "'") {
        const close = this.src.indexOf("'", this.i + 1);
        const stop = close < 0 ? this.src.length : close;
        text(this.src.slice(this.i + 1, stop), 'single');
        this.i = stop + 1;
      } else if (c === '"') {
        this.i++;
        this.doubleQuoted(parts, text);
      } else if (c === '\\') {
        if (this.peek(1) !== '\n') text(this.peek(1), 'none');
        this.i += 2;
      } else if (c === '$' || c === '`') {
        parts.push(this.expansion('none') ?? { kind: 'text', text: '$', quote: 'none' });
      } else {
        text(c, 'none');
        this.i++;
      }
    }
    return { start, end: Math.min(this.i, this.src.length), parts };
  }

  private doubleQuoted(parts: WordPart[], text: (t: string, q: Quote) => void): void {
    // An empty "" still is a quoted piece: it decides the quoting style when the word is rewritten.
    text('', 'double');
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '"') {
        this.i++;
        return;
      }
      if (c === '\\' && '$`"\\\n'.includes(this.peek(1)) && this.peek(1) !== '') {
        if (this.peek(1) !== '\n') text(this.peek(1), 'double');
        this.i += 2;
      } else if (c === '$' || c === '`') {
        const part = this.expansion('double');
        if (part) parts.push(part);
        else text('$', 'double');
      } else {
        text(c, 'double');
        this.i++;
      }
    }
  }

  /** At `$` or a backtick: the expansion, or null for a lone `$` (which is literal). Advances past it. */
  private expansion(quote: Quote): WordPart | null {
    const start = this.i;
    if (this.peek() === '`') {
      const close = this.src.indexOf('`', start + 1);
      this.i = close < 0 ? this.src.length : close + 1;
      return { kind: 'opaque', raw: this.src.slice(start, this.i), quote, reason: 'command substitution' };
    }
    const next = this.peek(1);
    if (next === '{') {
      const close = this.src.indexOf('}', start + 2);
      this.i = close < 0 ? this.src.length : close + 1;
      const raw = this.src.slice(start, this.i);
      const inner = raw.slice(2, -1);
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(inner)) return { kind: 'var', name: inner, raw, quote };
      return { kind: 'opaque', raw, quote, reason: `parameter expansion ${raw}` };
    }
    if (next === '(') {
      this.i = this.matchParen(start + 1);
      return { kind: 'opaque', raw: this.src.slice(start, this.i), quote, reason: 'command substitution' };
    }
    NAME.lastIndex = start + 1;
    const name = NAME.exec(this.src);
    if (name) {
      this.i = start + 1 + name[0].length;
      return { kind: 'var', name: name[0], raw: this.src.slice(start, this.i), quote };
    }
    if (/^[0-9@*#?$!-]$/.test(next)) {
      this.i = start + 2;
      return { kind: 'opaque', raw: this.src.slice(start, this.i), quote, reason: `special parameter $${next}` };
    }
    this.i = start + 1;
    return null;
  }

  /** Offset just past the parenthesis that closes the one at `open` (quotes inside are skipped). */
  private matchParen(open: number): number {
    let depth = 0;
    for (let k = open; k < this.src.length; k++) {
      const c = this.src[k];
      if (c === "'" || c === '"') {
        const close = this.src.indexOf(c, k + 1);
        if (close < 0) return this.src.length;
        k = close;
      } else if (c === '(') {
        depth++;
      } else if (c === ')' && --depth === 0) {
        return k + 1;
      }
    }
    return this.src.length;
  }
}

export function lexShell(src: string): ShellStatement[] {
  return new Lexer(src).statements();
}

/** `NAME=` or `NAME+=` at the start of a word, when written unquoted (as the shell requires). */
export function assignmentTarget(word: ShellWord): { name: string; append: boolean; valueParts: WordPart[] } | null {
  const first = word.parts[0];
  if (first?.kind !== 'text' || first.quote !== 'none') return null;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(first.text);
  if (!m) return null;
  const rest = first.text.slice(m[0].length);
  const valueParts: WordPart[] = rest ? [{ kind: 'text', text: rest, quote: 'none' }, ...word.parts.slice(1)] : word.parts.slice(1);
  return { name: m[1]!, append: m[2] === '+', valueParts };
}

/** A word that is a plain unquoted literal (a command name or keyword), else null. */
export function literalWord(word: ShellWord | undefined): string | null {
  if (!word || word.parts.length !== 1) return null;
  const only = word.parts[0]!;
  return only.kind === 'text' && only.quote === 'none' ? only.text : null;
}
