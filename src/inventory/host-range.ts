// Ansible host declarations: ranges (`hv[01:20]`, `db-[a:f]`, `node[0:10:2]`) and `name:port`.

export type RangeResult = { names: string[] } | { error: string };

/** Expands every `[begin:end(:step)]` in a host declaration, as Ansible's expand_hostname_range does. */
export function expandHostRange(pattern: string): RangeResult {
  const match = /^(.*?)\[([^\]]*)\](.*)$/.exec(pattern);
  if (!match) return { names: [pattern] };
  const [, head = '', range = '', tail = ''] = match;
  const bounds = range.split(':');
  if (bounds.length < 2 || bounds.length > 3) return { error: `host range "[${range}]" must be [begin:end] or [begin:end:step]` };
  const [begin = '', end = '', stepText = '1'] = bounds;
  const step = Number(stepText);
  if (!Number.isInteger(step) || step < 1) return { error: `host range "[${range}]" has an invalid step "${stepText}"` };
  const items = expandBounds(begin === '' ? '0' : begin, end, range);
  if ('error' in items) return items;
  const rest = expandHostRange(tail);
  if ('error' in rest) return rest;
  const names: string[] = [];
  items.values.forEach((item, i) => {
    if (i % step === 0) for (const suffix of rest.names) names.push(`${head}${item}${suffix}`);
  });
  return { names };
}

function expandBounds(begin: string, end: string, range: string): { values: string[] } | { error: string } {
  if (/^[a-z]$/i.test(begin) && /^[a-z]$/i.test(end)) {
    const from = begin.charCodeAt(0);
    const to = end.charCodeAt(0);
    if (from > to) return { error: `host range "[${range}]" runs backwards` };
    return { values: Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i)) };
  }
  if (!/^\d+$/.test(begin) || !/^\d+$/.test(end)) return { error: `host range "[${range}]" must be numbers or single letters` };
  // A leading zero asks for zero padding to the width written (hv[01:20] → hv01 … hv20).
  const width = begin.length > 1 && begin.startsWith('0') ? begin.length : 0;
  if (width > 0 && end.length !== width) return { error: `host range "[${range}]" must give begin and end the same width` };
  const from = Number(begin);
  const to = Number(end);
  if (from > to) return { error: `host range "[${range}]" runs backwards` };
  if (to - from > 100_000) return { error: `host range "[${range}]" is too large` };
  return { values: Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(width, '0')) };
}

/** `hv01:2222` → name and port; a colon inside a range (`hv[1:3]`) or an IPv6 address is not a port. */
export function splitHostPort(declaration: string): { name: string; port: number | null } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(declaration);
  if (bracketed) return { name: bracketed[1]!, port: Number(bracketed[2]) };
  const outsideRanges = declaration.replace(/\[[^\]]*\]/g, '');
  const match = /^(.*):(\d+)$/.exec(declaration);
  if (match && (outsideRanges.match(/:/g) ?? []).length === 1) return { name: match[1]!, port: Number(match[2]) };
  return { name: declaration, port: null };
}
