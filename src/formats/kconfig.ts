// Kernel .config text: `CONFIG_X=y|m|value`, `# CONFIG_X is not set`; a missing line means absent.

const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

/** A Kconfig string value: quotes removed and \" \\ unescaped, as scripts/kconfig writes them. */
function unquoteKconfig(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

/** Symbol → 'y' | 'm' | 'n' | literal value (double quotes removed). */
export function parseKconfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const set = SET.exec(line);
    if (set) {
      out[set[1]!] = unquoteKconfig(set[2]!);
      continue;
    }
    const notSet = NOT_SET.exec(line);
    if (notSet) out[notSet[1]!] = 'n';
  }
  return out;
}

function versionNumbers(version: string): number[] {
  const prefix = /^\d+(?:\.\d+)*/.exec(version.trim().replace(/^v/, ''));
  return prefix ? prefix[0].split('.').map(Number) : [];
}

/**
 * Compares kernel versions by their numeric prefix: '6.1.0-18-amd64' vs '5.15' → 1. Missing components
 * count as 0 ('5.15.0' = '5.15'); what follows the prefix (-18-amd64, -rc1) is ignored.
 */
export function compareKernelVersions(a: string, b: string): number {
  const na = versionNumbers(a);
  const nb = versionNumbers(b);
  for (let i = 0; i < Math.max(na.length, nb.length); i++) {
    const d = (na[i] ?? 0) - (nb[i] ?? 0);
    if (d !== 0) return d > 0 ? 1 : -1;
  }
  return 0;
}
