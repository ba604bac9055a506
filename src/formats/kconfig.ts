// Kernel .config text: `CONFIG_X=y|m|value`, `# CONFIG_X is not set`; a missing line means absent.

/** Symbol → 'y' | 'm' | 'n' | literal value (double quotes removed). */
export function parseKconfig(text: string): Record<string, string> {
  throw new Error('not implemented');
}

/** Compares kernel versions by their numeric prefix: '6.1.0-18-amd64' vs '5.15' → 1. */
export function compareKernelVersions(a: string, b: string): number {
  throw new Error('not implemented');
}
