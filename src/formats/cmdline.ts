// Kernel command lines: `key=value` and bare flags, order preserved.
//
// Tokenising follows the kernel's next_arg() (lib/cmdline.c): whitespace splits parameters except inside
// double quotes, the key ends at the first `=`, quotes around the value (or the whole parameter) are not
// part of it, and a bare `--` ends the kernel's parameters (what follows is handed to init untouched).
// Keys match exactly: the kernel treats - and _ alike only for some parameters, and userspace readers
// (dracut's rd.*, systemd.*) have their own rules, so guessing would be wrong as often as right.

export interface CmdlineParam {
  key: string;
  /** null for a bare flag. */
  value: string | null;
}

/** One parameter as written, and where it is in the text. */
interface CmdlineToken extends CmdlineParam {
  raw: string;
  start: number;
  end: number;
}

const SPACE = /[ \t\n\v\f\r]/;

function splitToken(raw: string): CmdlineParam {
  let body = raw;
  if (body.startsWith('"')) {
    body = body.slice(1);
    if (body.endsWith('"')) body = body.slice(0, -1);
  }
  const eq = body.indexOf('=');
  if (eq < 0) return { key: body, value: null };
  let value = body.slice(eq + 1);
  if (value.startsWith('"')) {
    value = value.slice(1);
    if (value.endsWith('"')) value = value.slice(0, -1);
  }
  return { key: body.slice(0, eq), value };
}

/** Kernel parameters (before any `--`) with their positions, and where the init arguments start. */
function tokenizeCmdline(text: string): { tokens: CmdlineToken[]; initStart: number | null } {
  const tokens: CmdlineToken[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && SPACE.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    let inQuote = false;
    while (i < text.length && (inQuote || !SPACE.test(text[i]!))) {
      if (text[i] === '"') inQuote = !inQuote;
      i++;
    }
    const raw = text.slice(start, i);
    if (raw === '--') return { tokens, initStart: start };
    tokens.push({ raw, start, end: i, ...splitToken(raw) });
  }
  return { tokens, initStart: null };
}

export function parseCmdline(text: string): CmdlineParam[] {
  return tokenizeCmdline(text).tokens.map(({ key, value }) => ({ key, value }));
}

/** The value a key has in a command line (the last occurrence wins, as in the kernel); undefined: absent. */
export function cmdlineValue(params: CmdlineParam[], key: string): string | null | undefined {
  for (let i = params.length - 1; i >= 0; i--) {
    if (params[i]!.key === key) return params[i]!.value;
  }
  return undefined;
}

/** How a parameter is written: bare flag, key=value, or key="value" when the value holds whitespace. */
export function formatCmdlineParam(key: string, value: string | null): string {
  if (value === null) return key;
  return /[ \t\n\v\f\r]/.test(value) ? `${key}="${value}"` : `${key}=${value}`;
}

/**
 * Replaces values in place, appends new parameters, removes the named ones; every other parameter and
 * its order is kept. `set` value null = bare flag.
 *
 * A key set that occurs several times keeps its first position and loses the later occurrences, so the
 * result holds it exactly once (`console=` is the known key the kernel reads more than once: setting it
 * means "this console only"). Untouched parameters, the whitespace between them, leading and trailing
 * whitespace and init arguments after `--` stay byte for byte; an occurrence that already has the wanted
 * value keeps its spelling (`foo="a"` stays, it is not rewritten to `foo=a`). New parameters go after the
 * last kernel parameter, before `--`.
 */
export function editCmdline(text: string, set: Record<string, string | null>, remove: string[]): string {
  const { tokens, initStart } = tokenizeCmdline(text);
  const removed = new Set(remove);
  const seen = new Set<string>();
  const replacement = new Map<CmdlineToken, string | null>();
  for (const token of tokens) {
    if (removed.has(token.key)) {
      replacement.set(token, null);
    } else if (Object.hasOwn(set, token.key)) {
      if (seen.has(token.key)) {
        replacement.set(token, null);
      } else {
        seen.add(token.key);
        const want = set[token.key]!;
        if (token.value !== want) replacement.set(token, formatCmdlineParam(token.key, want));
      }
    }
  }
  const appended = Object.entries(set)
    .filter(([key]) => !seen.has(key) && !removed.has(key))
    .map(([key, value]) => formatCmdlineParam(key, value));
  if (replacement.size === 0 && appended.length === 0) return text;
  return rebuildCmdline(text, tokens, replacement, appended, initStart);
}

function rebuildCmdline(
  text: string,
  tokens: CmdlineToken[],
  replacement: Map<CmdlineToken, string | null>,
  appended: string[],
  initStart: number | null,
): string {
  const kept = tokens.filter((t) => replacement.get(t) !== null);
  const paramsEnd = tokens.length > 0 ? tokens[tokens.length - 1]!.end : (initStart ?? 0);
  let out = text.slice(0, tokens[0]?.start ?? paramsEnd);
  kept.forEach((token, index) => {
    // The separator in front of a kept token is the one the text had before it, or a single space when
    // the tokens around it were removed and the original separator is gone with them.
    if (index > 0) {
      const prev = tokens[tokens.indexOf(token) - 1]!;
      out += prev === kept[index - 1] ? text.slice(prev.end, token.start) : ' ';
    }
    out += replacement.get(token) ?? token.raw;
  });
  const newParams = appended.join(' ');
  if (newParams) out += (kept.length > 0 ? ' ' : '') + newParams;
  const tail = text.slice(paramsEnd);
  if (initStart !== null && tokens.length === 0 && newParams) return out + ' ' + tail;
  return out + tail;
}
