// GitHub-flavoured markdown escaping: plan text comes from hosts and playbooks and must not break
// the table, the <details> HTML or the code fences it lands in.

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Table cells: a `|` would split the cell, a newline would end the row. */
export function escapeTableCell(text: string): string {
  return escapeHtml(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code whose delimiter is longer than any backtick run inside it. */
export function formatInlineCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = longest > 0 || text.startsWith(' ') ? ' ' : '';
  return `${ticks}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${ticks}`;
}

/** A fenced block that a ``` inside the content (a file can contain anything) cannot close early. */
export function formatFence(language: string, content: string, indent = ''): string {
  // A diff context line is " ```": indented backticks can close a fence too.
  const longest = Math.max(2, ...[...content.matchAll(/^[ \t]*(`+)/gm)].map((match) => match[1]?.length ?? 0));
  const fence = '`'.repeat(longest + 1);
  const body = content.replace(/\n$/, '').split('\n').map((line) => (line === '' ? '' : `${indent}${line}`));
  return [`${indent}${fence}${language}`, ...body, `${indent}${fence}`].join('\n');
}
